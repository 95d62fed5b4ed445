using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// The CLI in real processes: killed with SIGKILL after a periodic snapshot, or stopped with SIGINT (exit 130 and a
/// one-line message), then run again with --resume, it writes the same model file and the same results.json metrics
/// as a run never interrupted: train-char (steps), forecast and classify (epochs, shuffling, validation, early stopping)
/// and long-memory (several configurations: the finished ones are kept, the current one continues mid-run).
/// </summary>
[Collection("processes")]
public class ResumeProcessTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private const int SigInt = 2, SigTerm = 15;

    /// <summary>
    /// SIGINT, unless this process ignores it (started as a background job of a non-interactive shell): then the child
    /// inherits the ignoring, as Unix wants, and SIGTERM, which the CLI handles the same way, stands in.
    /// </summary>
    private static int Interrupt()
    {
        var ignored = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        bool sigIntIgnored = ignored is not null && (Convert.ToUInt64(ignored[7..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
        return sigIntIgnored ? SigTerm : SigInt;
    }

    private static string CliDll => Path.Combine(AppContext.BaseDirectory, "AutoGradRnn.Cli.dll");

    private static Process Start(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private string[] TrainChar()
    {
        var text = dir.File("t.txt");
        if (!File.Exists(text)) File.WriteAllText(text, string.Concat(Enumerable.Range(0, 400).Select(i => $"line {i}: the quick brown fox jumps over the lazy dog. ")));
        return ["train-char", "--text", text, "--hidden", "16", "--seq", "16", "--batch", "8", "--steps", "400", "--threads", "1", "--checkpoint-every", "10"];
    }

    private string[] Forecast()
    {
        var csv = dir.File("s.csv");
        if (!File.Exists(csv))
        {
            var sb = new StringBuilder("time,load\n");
            var start = new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            for (int i = 0; i < 24 * 160; i++)
                sb.Append(CultureInfo.InvariantCulture, $"{start.AddHours(i):yyyy-MM-dd HH:mm},{100 + 10 * Math.Sin(2 * Math.PI * i / 24) + (i * 7919 % 13)}\n");
            File.WriteAllText(csv, sb.ToString());
        }
        return ["forecast", "--csv", csv, "--periods", "24", "--horizon", "24", "--hidden", "4", "--epochs", "5", "--threads", "1", "--checkpoint-every", "10"];
    }

    private string[] Classify()
    {
        var csv = dir.File("c.csv");
        if (!File.Exists(csv))
        {
            // Names whose label follows from their letters, so training has something to learn for several epochs.
            var rng = new Rng(7);
            var sb = new StringBuilder("name,label\n");
            for (int i = 0; i < 3000; i++)
            {
                var name = new string(Enumerable.Range(0, 4 + rng.NextInt(6)).Select(_ => (char)('a' + rng.NextInt(12))).ToArray());
                sb.Append(CultureInfo.InvariantCulture, $"{name},{(name.Count(c => c < 'f') % 3) switch { 0 => "x", 1 => "y", _ => "z" }}\n");
            }
            File.WriteAllText(csv, sb.ToString());
        }
        return ["classify", "--csv", csv, "--hidden", "24", "--epochs", "8", "--threads", "1", "--checkpoint-every", "10"];
    }

    private static string[] LongMemory() =>
        ["long-memory", "--task", "recall", "--gaps", "5,8", "--cells", "lstm", "--seeds", "2", "--hidden", "8", "--steps", "150", "--batch", "16", "--threads", "1", "--checkpoint-every", "10"];

    /// <summary>results.json without its wall-clock fields.</summary>
    private static string Metrics(string folder)
    {
        static void Strip(JsonNode? node)
        {
            if (node is JsonObject o)
            {
                foreach (var key in new[] { "Seconds", "CharactersPerSecond", "Elapsed" }) o.Remove(key);
                foreach (var (_, child) in o) Strip(child);
            }
            else if (node is JsonArray a) foreach (var child in a) Strip(child);
        }
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        Strip(json);
        return json!.ToJsonString();
    }

    private string Uninterrupted(string[] args)
    {
        var folder = dir.File("uninterrupted");
        var (exit, err) = Repo.RunCli([.. args, "--out", folder]);
        Assert.True(exit == 0, err);
        Assert.False(File.Exists(Path.Combine(folder, "resume.safetensors")), "a completed run leaves no resume file");
        return folder;
    }

    private static void ResumeAndCompare(string[] args, string folder, string expected)
    {
        using var child = Start([.. args, "--out", folder, "--resume"]);
        var err = child.StandardError.ReadToEndAsync();
        child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        Assert.True(child.ExitCode == 0, err.Result);
        Assert.False(File.Exists(Path.Combine(folder, "resume.safetensors")), "the resume file is removed once the run is complete");
        Assert.Equal(Metrics(expected), Metrics(folder));
        foreach (var model in Directory.GetFiles(expected, "*.safetensors"))
            Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(Path.Combine(folder, Path.GetFileName(model))));
    }

    private void KilledAfterASnapshotThenResumed(string[] args)
    {
        var expected = Uninterrupted(args);
        var folder = dir.File("killed");
        var resume = Path.Combine(folder, "resume.safetensors");
        using (var child = Start([.. args, "--out", folder]))
        {
            child.StandardOutput.ReadToEndAsync();
            child.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!File.Exists(resume) && !child.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(2);
            child.Kill(entireProcessTree: true);   // SIGKILL
            child.WaitForExit();
        }
        Assert.True(File.Exists(resume), "the run was killed after its first snapshot");
        Assert.False(File.Exists(Path.Combine(folder, "results.json")), "the kill landed before the run completed (make the run longer if this fails)");
        ResumeAndCompare(args, folder, expected);
    }

    private void InterruptedWithSigIntThenResumed(string[] args, string progressLine)
    {
        var expected = Uninterrupted(args);
        var folder = dir.File("interrupted");
        string error;
        using (var child = Start([.. args, "--out", folder]))
        {
            var err = child.StandardError.ReadToEndAsync();
            // Training has begun once the first progress line is out.
            while (child.StandardOutput.ReadLine() is { } line && !line.StartsWith(progressLine, StringComparison.Ordinal)) { }
            Assert.Equal(0, Kill(child.Id, Interrupt()));
            child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            error = err.Result.Trim();
            Assert.True(child.ExitCode == 130, $"exit {child.ExitCode}: {error}");
        }
        Assert.Matches($@"^autogradrnn: interrupted at step \d+ of \d+; saved {System.Text.RegularExpressions.Regex.Escape(Path.Combine(folder, "resume.safetensors"))}; continue with --resume$", error);
        ResumeAndCompare(args, folder, expected);
    }

    [Fact]
    public void Train_char_killed_after_a_snapshot_resumes_to_the_same_model() => KilledAfterASnapshotThenResumed(TrainChar());

    [Fact]
    public void Train_char_stopped_by_SIGINT_exits_130_and_resumes_to_the_same_model() => InterruptedWithSigIntThenResumed(TrainChar(), "train-char: step");

    [Fact]
    public void Forecast_killed_after_a_snapshot_resumes_to_the_same_results() => KilledAfterASnapshotThenResumed(Forecast());

    [Fact]
    public void Forecast_stopped_by_SIGINT_exits_130_and_resumes_to_the_same_results() => InterruptedWithSigIntThenResumed(Forecast(), "forecast: step");

    [Fact]
    public void Classify_killed_after_a_snapshot_resumes_to_the_same_results() => KilledAfterASnapshotThenResumed(Classify());

    [Fact]
    public void Classify_stopped_by_SIGINT_exits_130_and_resumes_to_the_same_results() => InterruptedWithSigIntThenResumed(Classify(), "classify: step");

    [Fact]
    public void Long_memory_killed_after_a_snapshot_resumes_to_the_same_results() => KilledAfterASnapshotThenResumed(LongMemory());

    /// <summary>Interrupted once its first configuration has finished (its line is out), in the middle of a later one.</summary>
    [Fact]
    public void Long_memory_stopped_by_SIGINT_exits_130_and_resumes_to_the_same_results() => InterruptedWithSigIntThenResumed(LongMemory(), "lstm/");

    /// <summary>
    /// A run shorter than one snapshot interval never writes a resume file, and its --out folder may not exist until the
    /// results are written: it must still complete (the fault: removing the never-written file threw, and the results were lost).
    /// </summary>
    [Fact]
    public void Runs_shorter_than_one_snapshot_interval_complete_into_a_new_folder()
    {
        foreach (var (args, name) in new[] { (TrainChar(), "train-char"), (Forecast(), "forecast"), (Classify(), "classify"), (LongMemory(), "long-memory") })
        {
            var folder = Path.Combine(dir.File("fresh"), name, "run");
            int every = Array.IndexOf(args, "--checkpoint-every");
            var (exit, err) = Repo.RunCli([.. args[..every], .. args[(every + 2)..], "--checkpoint-every", "100000", "--out", folder]);
            Assert.True(exit == 0, $"{name}: {err}");
            Assert.True(File.Exists(Path.Combine(folder, "results.json")), $"{name}: no results.json");
            Assert.False(File.Exists(Path.Combine(folder, "resume.safetensors")), $"{name}: a resume file was left");
        }
    }
}
