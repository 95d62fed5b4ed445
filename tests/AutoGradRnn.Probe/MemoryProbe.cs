using System.Diagnostics;
using System.Globalization;
using AutoGradRnn;
using AutoGradRnn.Applications;

/// <summary>
/// Loads one input the way the commands do and reports what it cost, as "retained allocated peakWorkingSet" in bytes:
/// the managed bytes still live with everything loaded held (after a full GC), the managed bytes allocated in total,
/// and the process's peak working set.
/// </summary>
public static class MemoryProbe
{
    public static string Measure(string kind, string path)
    {
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        object held = kind switch
        {
            "text" => Text(path),
            "csv" => Csv(path),
            "checkpoint" => Checkpoint(path),
            _ => throw new ArgumentException($"unknown kind '{kind}' (text, csv, checkpoint)"),
        };
        long retained = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        GC.KeepAlive(held);
        using var self = Process.GetCurrentProcess();
        return string.Create(CultureInfo.InvariantCulture, $"{retained} {allocated} {self.PeakWorkingSet64}");
    }

    /// <summary>
    /// What train-char does before its first step: load, split, build the vocabulary, encode, batch; every batch is read
    /// once. The decoded text stays held, as the command holds it while it trains.
    /// </summary>
    private static object Text(string path)
    {
        var text = TextCorpus.Load(path);
        var corpus = CharCorpus.Split(text, 0.1);
        var (_, batches) = StreamBatching.Tokens(corpus.Train, 32, 64);
        long sum = 0;
        foreach (var b in batches) sum += b.Inputs[0] + b.Targets[^1];
        return (text, corpus, batches, sum);
    }

    /// <summary>What forecast does with a CSV: find the numeric columns, read the time column and the target, batch the series.</summary>
    private static object Csv(string path)
    {
        var table = CsvTable.Load(path);
        var numeric = table.Header.Where(table.IsNumeric).ToArray();
        var times = table.Timestamps(table.Header[0]);
        var y = table.Numbers(numeric[^1]);
        var (_, batches) = StreamBatching.Series(Tensor.FromArray(y.Select(v => (float)v).ToArray()), 32, 64);
        double sum = 0;
        foreach (var b in batches) sum += b.Inputs.AsSpan()[0];
        return (table, times, y, batches, sum);
    }

    /// <summary>What sample does before generating: the metadata, then the tensors.</summary>
    private static object Checkpoint(string path)
    {
        var meta = Checkpoint<float>.Metadata(path);
        return (meta, SafeTensors.Load<float>(path));
    }
}
