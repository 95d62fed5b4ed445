using System.Globalization;

namespace AutoGradRnn.Tests;

/// <summary>
/// A forecast's time axis is checked whenever there is a time column, periods given or not: out-of-order rows,
/// duplicates, irregular steps and gaps are refused, naming the rows; with AllowGaps the gaps are filled by linear
/// interpolation and the report says what was filled. Without a time column the report says the order was not checked.
/// </summary>
public class TimeAxisTests
{
    private static readonly DateTime Start = new(2020, 1, 1);

    /// <summary>Hourly rows at the given step numbers, the value of step k being 10 k (so interpolation is exact).</summary>
    private static string Hourly(IEnumerable<int> steps) =>
        "time,load\n" + string.Concat(steps.Select(k => $"{Start.AddHours(k):s},{10 * k}\n"));

    private static readonly ForecastOptions Small = new() { Periods = [4], Hidden = 2, Epochs = 1 };

    [Fact]
    public void Allowed_gaps_are_filled_by_linear_interpolation_and_reported()
    {
        using var dir = new TempDir();
        var steps = Enumerable.Range(0, 60).Where(k => k is not (10 or 11 or 12) and not 40).ToArray();   // two gaps: 3 steps and 1
        var csv = dir.File("gaps.csv");
        File.WriteAllText(csv, Hourly(steps));
        Assert.Contains("3 steps of 1 h missing between 2020-01-01T09:00:00 (row 11) and 2020-01-01T13:00:00 (row 12); 2 gaps (4 missing steps) in all",
            Assert.Throws<DataFormatException>(() => Forecasting.Run(csv, Small)).Message);

        var report = Forecasting.Run(csv, Small with { AllowGaps = true });
        Assert.Equal(new TimeAxisReport("time", true, "1 h", 2, 4, "2020-01-01T10:00:00", "2020-01-02T16:00:00",
            "time column 'time': filled 4 missing steps of 1 h in 2 gaps by linear interpolation, from 2020-01-01T10:00:00 to 2020-01-02T16:00:00"), report.Time);
        // The filled series is the full one: its test targets are 10 k at the last rows.
        Assert.Equal(Enumerable.Range(60 - report.Actual.Length, report.Actual.Length).Select(k => 10.0 * k), report.Actual);
    }

    [Fact]
    public void Fill_interpolates_between_the_rows_around_each_gap()
    {
        var times = new[] { 0, 1, 4, 5, 7 }.Select(h => Start.AddHours(h)).ToArray();
        var axis = TimeAxis.Check(times, "s.csv", "time", allowGaps: true);
        Assert.Equal([new TimeAxis.Gap(1, 2), new TimeAxis.Gap(3, 1)], axis.Gaps);
        Assert.Equal([0.0, 1, 2, 3, 4, 5, 6, 7], TimeAxis.Fill([0.0, 1, 4, 5, 7], axis.Gaps));
        Assert.Equal(Enumerable.Range(0, 8).Select(h => Start.AddHours(h)), TimeAxis.Fill(times, axis.Gaps));
    }

    [Fact]
    public void A_shuffled_series_is_refused_even_with_periods_given()
    {
        using var dir = new TempDir();
        var csv = dir.File("shuffled.csv");
        File.WriteAllText(csv, Hourly([0, 1, 2, 3, 5, 4, 6, 7, 8, 9]));
        var e = Assert.Throws<DataFormatException>(() => Forecasting.Run(csv, Small with { AllowGaps = true }));
        Assert.Equal($"{csv}, column 'time': the rows are not in time order: row 7 (2020-01-01T04:00:00) is earlier than row 6 (2020-01-01T05:00:00); sort the file by time", e.Message);
    }

    [Fact]
    public void Duplicates_and_irregular_steps_are_refused_even_with_gaps_allowed()
    {
        var dup = new[] { 0, 1, 1, 2 }.Select(h => Start.AddHours(h)).ToArray();
        Assert.Contains("rows 3 and 4 have the same timestamp 2020-01-01T01:00:00", Assert.Throws<DataFormatException>(() => TimeAxis.Check(dup, "s.csv", "time", true)).Message);
        var odd = new[] { 0.0, 1, 2, 3.5, 4.5 }.Select(h => Start.AddHours(h)).ToArray();
        Assert.Contains("irregular spacing: row 5 (2020-01-01T03:30:00) is 90 min after row 4", Assert.Throws<DataFormatException>(() => TimeAxis.Check(odd, "s.csv", "time", true)).Message);
    }

    [Fact]
    public void Monthly_series_step_by_calendar_month()
    {
        var months = Enumerable.Range(0, 30).Select(m => new DateTime(2019, 1, 31).AddMonths(m)).Select(t => new DateTime(t.Year, t.Month, DateTime.DaysInMonth(t.Year, t.Month))).ToArray();
        Assert.Equal("time column 'month': 30 rows in order, every one month, no gaps", TimeAxis.Check(months, "m.csv", "month", false).Report.Summary);
        var missing = months.Where((_, i) => i != 7).ToArray();
        var axis = TimeAxis.Check(missing, "m.csv", "month", true);
        Assert.Equal([new TimeAxis.Gap(6, 1)], axis.Gaps);
        Assert.Equal(1, axis.Report.FilledSteps);
    }

    [Fact]
    public void Without_a_time_column_the_report_says_the_order_was_not_checked()
    {
        using var dir = new TempDir();
        var csv = dir.File("plain.csv");
        File.WriteAllText(csv, "load\n" + string.Concat(Enumerable.Range(0, 60).Select(k => $"{Math.Sin(k)}\n")));
        var report = Forecasting.Run(csv, Small);
        Assert.False(report.Time.OrderChecked);
        Assert.StartsWith("time order not checked: no timestamp column", report.Time.Summary);
    }

    [Fact]
    public void A_regular_series_is_reported_as_checked_and_trains_as_before()
    {
        using var dir = new TempDir();
        var csv = dir.File("regular.csv");
        File.WriteAllText(csv, Hourly(Enumerable.Range(0, 60)));
        var report = Forecasting.Run(csv, Small);
        Assert.Equal("time column 'time': 60 rows in order, every 1 h, no gaps", report.Time.Summary);
        Assert.Equal(0, report.Time.FilledSteps);
    }

    [Fact]
    public void The_default_target_is_never_a_time_column_and_a_non_numeric_column_is_explained()
    {
        var table = CsvTable.Parse("t,v,w\n1,2,x\n2,NA,3\n", "c.csv");
        Assert.Equal("row 3 holds 'NA' (a marker of a missing value? fill or drop that row)", table.WhyNotNumeric("v"));
        Assert.Equal("row 2 holds 'x'", table.WhyNotNumeric("w"));
        Assert.Equal("", table.WhyNotNumeric("t"));
        using var dir = new TempDir();
        var csv = dir.File("ymd.csv");
        File.WriteAllText(csv, "value,year,month,day\n" + string.Concat(Enumerable.Range(0, 60).Select(k => $"{k},{Start.AddDays(k).Year},{Start.AddDays(k).Month},{Start.AddDays(k).Day}\n")));
        Assert.Equal("value", Forecasting.Run(csv, Small).Target);   // before: 'day', the last numeric column
    }

    [Fact]
    public void A_time_column_after_an_id_column_is_found_and_checked()
    {
        using var dir = new TempDir();
        var csv = dir.File("id.csv");
        File.WriteAllText(csv, "id,time,load\n" + string.Concat(Enumerable.Range(0, 60).Select(k => $"{k},{Start.AddHours(k == 30 ? 31 : k == 31 ? 30 : k):s},{k}\n")));
        Assert.Contains("column 'time': the rows are not in time order: row 33", Assert.Throws<DataFormatException>(() => Forecasting.Run(csv, Small)).Message);
    }

    [Fact]
    public void Semicolon_and_tab_separated_files_are_named_as_such()
    {
        Assert.Contains("looks separated by semicolons", Assert.Throws<DataFormatException>(() => CsvTable.Parse("a;b\n1;2\n", "s.csv")).Message);
        Assert.Contains("looks separated by tabs", Assert.Throws<DataFormatException>(() => CsvTable.Parse("a\tb\n1\t2\n", "t.csv")).Message);
        Assert.Equal(["1;2"], CsvTable.Parse("a,b\n\"1;2\",3\n").Text("a"));   // a semicolon inside a comma CSV is just text
    }
}
