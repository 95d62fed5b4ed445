using System.Globalization;

namespace AutoGradRnn.Applications;

/// <summary>
/// What a forecast learned about its series' time axis: whether the order could be checked (only with a time column),
/// the regular step, and the missing steps filled by linear interpolation (only with <see cref="ForecastOptions.AllowGaps"/>).
/// Timestamps are ISO 8601; "" where there is none.
/// </summary>
public sealed record TimeAxisReport(string TimeColumn, bool OrderChecked, string Step, int Gaps, int FilledSteps, string FirstFilled, string LastFilled, string Summary)
{
    /// <summary>The report of a series without a time column: nothing could be checked.</summary>
    public static TimeAxisReport Unchecked { get; } = new("", false, "", 0, 0, "", "",
        "time order not checked: no timestamp column (name one with --time-column, or TimeColumn)");
}

/// <summary>
/// Checks that a series' timestamps increase strictly by one regular step, so that a shuffled, descending, duplicated
/// or gappy file is never trained and scored as if it were an ordered series; with gaps allowed, fills the missing steps.
/// </summary>
internal static class TimeAxis
{
    /// <summary>A missing run: <paramref name="Missing"/> steps between data rows <paramref name="Before"/> and <paramref name="Before"/> + 1.</summary>
    internal sealed record Gap(int Before, int Missing);

    /// <summary>The checked axis: the gaps to fill (empty when regular) and the report.</summary>
    internal sealed record Checked(IReadOnlyList<Gap> Gaps, TimeAxisReport Report);

    /// <summary>
    /// Checks <paramref name="times"/> (data row r is file row r + 2). Out-of-order rows, duplicates and irregular spacing are
    /// always a <see cref="DataFormatException"/>; gaps (whole missing steps) too unless <paramref name="allowGaps"/>.
    /// </summary>
    public static Checked Check(DateTime[] times, string source, string column, bool allowGaps)
    {
        for (int i = 1; i < times.Length; i++)
        {
            if (times[i] == times[i - 1])
                throw new DataFormatException(source, $"rows {i + 1} and {i + 2} have the same timestamp {Iso(times[i])}; remove the duplicate", 0, column);
            if (times[i] < times[i - 1])
                throw new DataFormatException(source, $"the rows are not in time order: row {i + 2} ({Iso(times[i])}) is earlier than row {i + 1} ({Iso(times[i - 1])}); sort the file by time", 0, column);
        }
        if (times.Length < 2) return new Checked([], new TimeAxisReport(column, true, "", 0, 0, "", "", $"time column '{column}': {times.Length} row"));

        bool monthly = IsMonthly(times);
        var step = monthly ? TimeSpan.Zero : MostCommonStep(times);
        var gaps = new List<Gap>();
        for (int i = 1; i < times.Length; i++)
        {
            long steps;
            if (monthly)
            {
                steps = MonthIndex(times[i]) - MonthIndex(times[i - 1]);
                if (steps < 1 || times[i].Day != times[i - 1].AddMonths((int)steps).Day && !(IsMonthEnd(times[i]) && IsMonthEnd(times[i - 1])))
                    throw Irregular(source, column, times, i, "one month");
            }
            else
            {
                var delta = times[i] - times[i - 1];
                if (delta.Ticks % step.Ticks != 0) throw Irregular(source, column, times, i, Describe(step));
                steps = delta.Ticks / step.Ticks;
            }
            if (steps > 1) gaps.Add(new Gap(i - 1, (int)Math.Min(steps - 1, int.MaxValue)));
        }
        string stepText = monthly ? "one month" : Describe(step);
        if (gaps.Count == 0)
            return new Checked([], new TimeAxisReport(column, true, stepText, 0, 0, "", "", $"time column '{column}': {times.Length:N0} rows in order, every {stepText}, no gaps"));

        long missing = gaps.Sum(g => (long)g.Missing);
        var first = gaps[0];
        if (!allowGaps)
            throw new DataFormatException(source,
                $"{first.Missing} step{(first.Missing == 1 ? "" : "s")} of {stepText} missing between {Iso(times[first.Before])} (row {first.Before + 2}) and {Iso(times[first.Before + 1])} (row {first.Before + 3}); " +
                $"{gaps.Count} gap{(gaps.Count == 1 ? "" : "s")} ({missing:N0} missing steps) in all; pass --allow-gaps (AllowGaps) to fill them by linear interpolation", 0, column);
        if (missing > 10L * times.Length)
            throw new DataFormatException(source, $"{missing:N0} missing steps of {stepText} are too many to fill for {times.Length:N0} rows (more than 10 per row); check the time column", 0, column);
        var last = gaps[^1];
        string firstFilled = Iso(Advance(times[first.Before], 1, step, monthly)), lastFilled = Iso(Advance(times[last.Before], last.Missing, step, monthly));
        return new Checked(gaps, new TimeAxisReport(column, true, stepText, gaps.Count, (int)missing, firstFilled, lastFilled,
            $"time column '{column}': filled {missing:N0} missing step{(missing == 1 ? "" : "s")} of {stepText} in {gaps.Count} gap{(gaps.Count == 1 ? "" : "s")} by linear interpolation, from {firstFilled} to {lastFilled}"));
    }

    /// <summary>The series with every gap filled by linear interpolation between the rows around it.</summary>
    public static double[] Fill(double[] values, IReadOnlyList<Gap> gaps)
    {
        if (gaps.Count == 0) return values;
        var filled = new double[values.Length + gaps.Sum(g => g.Missing)];
        int at = 0, from = 0;
        foreach (var g in gaps)
        {
            for (; from <= g.Before; from++) filled[at++] = values[from];
            double a = values[g.Before], b = values[g.Before + 1];
            for (int j = 1; j <= g.Missing; j++) filled[at++] = a + (b - a) * j / (g.Missing + 1);
        }
        for (; from < values.Length; from++) filled[at++] = values[from];
        return filled;
    }

    /// <summary>The timestamps with the gaps' steps inserted.</summary>
    public static DateTime[] Fill(DateTime[] times, IReadOnlyList<Gap> gaps)
    {
        if (gaps.Count == 0) return times;
        bool monthly = IsMonthly(times);
        var step = monthly ? TimeSpan.Zero : MostCommonStep(times);
        var filled = new List<DateTime>(times.Length + gaps.Sum(g => g.Missing));
        int from = 0;
        foreach (var g in gaps)
        {
            for (; from <= g.Before; from++) filled.Add(times[from]);
            for (int j = 1; j <= g.Missing; j++) filled.Add(Advance(times[g.Before], j, step, monthly));
        }
        for (; from < times.Length; from++) filled.Add(times[from]);
        return [.. filled];
    }

    private static DataFormatException Irregular(string source, string column, DateTime[] times, int i, string step) =>
        new(source, $"irregular spacing: row {i + 2} ({Iso(times[i])}) is {Describe(times[i] - times[i - 1])} after row {i + 1} ({Iso(times[i - 1])}), " +
            $"not a whole number of the series' step of {step}", 0, column);

    /// <summary>Monthly data (steps of 28 to 31 days) is regular in calendar months, not in a fixed time span.</summary>
    private static bool IsMonthly(DateTime[] times)
    {
        var step = MostCommonStep(times);
        return step >= TimeSpan.FromDays(28) && step <= TimeSpan.FromDays(31);
    }

    /// <summary>The most common difference between consecutive timestamps (the smallest of equally common ones).</summary>
    private static TimeSpan MostCommonStep(DateTime[] times)
    {
        var counts = new Dictionary<long, int>();
        for (int i = 1; i < times.Length; i++) counts[(times[i] - times[i - 1]).Ticks] = counts.GetValueOrDefault((times[i] - times[i - 1]).Ticks) + 1;
        return TimeSpan.FromTicks(counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key).First().Key);
    }

    private static long MonthIndex(DateTime t) => t.Year * 12L + t.Month - 1;

    private static bool IsMonthEnd(DateTime t) => t.Day == DateTime.DaysInMonth(t.Year, t.Month);

    private static DateTime Advance(DateTime t, int steps, TimeSpan step, bool monthly) => monthly ? t.AddMonths(steps) : t + step * steps;

    internal static string Iso(DateTime t) => t.ToString("s", CultureInfo.InvariantCulture);

    /// <summary>"30 min", "1 h", "1 day", "2 days 3 h": a span the way people write it.</summary>
    internal static string Describe(TimeSpan s)
    {
        if (s.Ticks % TimeSpan.TicksPerDay == 0) return s.Days == 1 ? "1 day" : $"{s.Days} days";
        if (s.Ticks % TimeSpan.TicksPerHour == 0) return $"{(long)s.TotalHours} h";
        if (s.Ticks % TimeSpan.TicksPerMinute == 0) return $"{(long)s.TotalMinutes} min";
        return $"{s.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
    }
}
