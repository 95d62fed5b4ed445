using System.Globalization;

namespace AutoGradRnn.Applications;

/// <summary>Finished long-memory runs as one metadata string of a resume file, doubles exact: <c>cell|init|gap|seed|metric|chance|loss</c>, runs separated by ';'.</summary>
internal static class LongMemoryResults
{
    public static string Format(IEnumerable<LongMemoryResult> results) => string.Join(";", results.Select(r => string.Join("|",
        r.Cell, r.Init, r.Gap.ToString(CultureInfo.InvariantCulture), r.Seed.ToString(CultureInfo.InvariantCulture),
        r.Metric.ToString("R", CultureInfo.InvariantCulture), r.Chance.ToString("R", CultureInfo.InvariantCulture), r.FinalLoss.ToString("R", CultureInfo.InvariantCulture))));

    public static List<LongMemoryResult> Parse(string path, string text)
    {
        try
        {
            return text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(run => run.Split('|')).Select(f => new LongMemoryResult(f[0], f[1],
                int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture),
                double.Parse(f[5], CultureInfo.InvariantCulture), double.Parse(f[6], CultureInfo.InvariantCulture))).ToList();
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new CheckpointException(path, $"the resume file's finished configurations are damaged ({e.Message})");
        }
    }
}
