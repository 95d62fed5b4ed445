using System.Diagnostics;
using AutoGradRnn;
using AutoGradRnn.Applications;

namespace AutoGradRnn.Benchmarks;

/// <summary>
/// The step `autogradrnn train-char` runs, timed on its own code path: <see cref="CharLanguageModel.Train"/> on
/// data/moby_dick.txt with the CLI's settings (one-hot input, stacked LSTM, linear head, Adam, clipping at 5,
/// carried state), timed between consecutive per-step progress reports, so nothing is rebuilt by hand here.
/// </summary>
public static class CharLmWorkload
{
    private static string? text;

    /// <summary>The vocabulary size of the training split (the one-hot input width D).</summary>
    public static int Vocabulary => CharVocabulary.FromText(Text[..(int)(Text.Length * 0.9)]).Size;

    private static string Text => text ??= TextCorpus.Load(DataFiles.Find("moby_dick.txt"));

    /// <summary>Runs 1 + <paramref name="steps"/> training steps; returns the median and the mean of the last <paramref name="steps"/> step times (ms), their count and the CPU ms per step.</summary>
    public static (double Median, double Mean, int Reps, double CpuMs) Measure(int layers, int batch, int seq, int hidden, int steps)
    {
        var stamps = new List<(long Wall, TimeSpan Cpu)>();
        var progress = new Recorder(stamps);
        var checkpoint = Path.Combine(Path.GetTempPath(), $"autogradrnn-bench-{Environment.ProcessId}.safetensors");
        try
        {
            CharLanguageModel.Train(Text, new CharModelOptions { Layers = layers, Batch = batch, SequenceLength = seq, Hidden = hidden, Steps = steps + 1 }, checkpoint, progress);
        }
        finally { File.Delete(checkpoint); }
        var times = new List<double>();
        for (int i = 1; i < stamps.Count; i++) times.Add(Stopwatch.GetElapsedTime(stamps[i - 1].Wall, stamps[i].Wall).TotalMilliseconds);
        double mean = times.Average();
        times.Sort();
        double median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        double cpu = (stamps[^1].Cpu - stamps[0].Cpu).TotalMilliseconds / times.Count;
        return (median, mean, times.Count, cpu);
    }

    /// <summary>Records when each step ends, on the training thread (Progress&lt;T&gt; would post to another one).</summary>
    private sealed class Recorder(List<(long, TimeSpan)> stamps) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => stamps.Add((Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime));
    }
}
