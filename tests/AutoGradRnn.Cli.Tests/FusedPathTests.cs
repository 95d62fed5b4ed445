using System.Globalization;
using System.Text;

namespace AutoGradRnn.Cli.Tests;

/// <summary>
/// Every application runs its recurrent layers through the fused kernels (one tape node per layer and sequence)
/// for every cell that has one: the commands run in process inside an <see cref="UnrollTrace"/>, which records the
/// path each unroll took. A stacked, masked or bidirectional model that fell back to the per-step path (about 3×
/// slower) fails here, naming the layer and the reason.
/// </summary>
public class FusedPathTests
{
    /// <summary>The cells with a fused kernel, by their command-line names.</summary>
    public static TheoryData<string> FusableCells => ["lstm", "gru", "rnn", "coupled", "gru-essay", "peephole"];

    private static void AssertAllFused(UnrollTrace trace, (int Exit, string Out, string Err) run)
    {
        Assert.True(run.Exit == 0, run.Err);
        Assert.NotEmpty(trace.Paths);
        Assert.True(trace.PerStep.Count == 0, "per-step unrolls: " + string.Join("; ", trace.PerStep.Select(p => p.ToString()).Distinct()));
    }

    [Theory, MemberData(nameof(FusableCells))]
    public void Train_char_runs_one_and_two_layers_fused(string cell)
    {
        using var dir = new TempDir();
        var text = dir.File("t.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("the sea was calm, the ship was slow. ", 30)));
        foreach (var layers in new[] { "1", "2" })
        {
            using var trace = UnrollTrace.Start();
            var run = Cli.Run("train-char", "--text", text, "--cell", cell, "--layers", layers, "--hidden", "8", "--steps", "2", "--seq", "8", "--batch", "2", "--out", dir.Path);
            AssertAllFused(trace, run);
            Assert.Equal(int.Parse(layers, CultureInfo.InvariantCulture), trace.Paths.Select(p => p.Cell).Distinct().Count());
        }
    }

    [Theory, MemberData(nameof(FusableCells))]
    public void Forecast_runs_fused(string cell)
    {
        using var dir = new TempDir();
        var csv = new StringBuilder("time,load\n");
        var start = new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int i = 0; i < 24 * 40; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{start.AddHours(i):yyyy-MM-dd HH:mm},{100 + 10 * Math.Sin(2 * Math.PI * i / 24) + i % 7}\n");
        File.WriteAllText(dir.File("s.csv"), csv.ToString());
        using var trace = UnrollTrace.Start();
        AssertAllFused(trace, Cli.Run("forecast", "--csv", dir.File("s.csv"), "--cell", cell, "--horizon", "24", "--hidden", "4", "--epochs", "1", "--out", dir.Path));
    }

    [Theory, MemberData(nameof(FusableCells))]
    public void Classify_runs_masked_batches_fused(string cell)
    {
        using var dir = new TempDir();
        var rows = new StringBuilder("name,lang\n");
        string[] a = ["anna", "maria", "lucia", "giulia", "sofia"], b = ["smith", "brown", "taylor", "wilson", "johnson"];
        for (int i = 0; i < 60; i++) rows.Append(CultureInfo.InvariantCulture, $"{a[i % 5]}{i % 3},it\n{b[i % 5]}{i % 4},en\n");
        File.WriteAllText(dir.File("n.csv"), rows.ToString());
        using var trace = UnrollTrace.Start();
        AssertAllFused(trace, Cli.Run("classify", "--csv", dir.File("n.csv"), "--cell", cell, "--hidden", "4", "--epochs", "1", "--out", dir.Path));
    }

    [Theory, MemberData(nameof(FusableCells))]
    public void Long_memory_runs_fused(string cell)
    {
        using var dir = new TempDir();
        foreach (var task in new[] { "recall", "adding" })
        {
            using var trace = UnrollTrace.Start();
            AssertAllFused(trace, Cli.Run("long-memory", "--task", task, task == "adding" ? "--lengths" : "--gaps", "5", "--cells", cell, "--seeds", "1", "--steps", "2", "--hidden", "4", "--out", dir.Path));
        }
    }
}
