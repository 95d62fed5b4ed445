using System.Globalization;

namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    /// <summary>A text long enough for tiny runs, and the flags that make one (two steps of 2 × 8 characters).</summary>
    private static string Text(TempDir d) => Write(d, "t.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 100)));

    private static readonly string[] Tiny = ["--hidden", "4", "--steps", "2", "--seq", "8", "--batch", "2", "--threads", "1"];

    private static void TrainChar(TempDir d, params string[] args) => Cli(["train-char", "--text", Text(d), .. Tiny, .. args]);

    /// <summary>A 100,000-row half-hourly series: long enough that a window of 50,000 is allowed by the rows (training windows are made one mini-batch at a time, so only memory can refuse it).</summary>
    private static string LongSeries(TempDir d) =>
        Write(d, "long.csv", "t,v\n" + string.Concat(Enumerable.Range(0, 100_000).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i},{100 + 10 * Math.Sin(2 * Math.PI * i / 48):F3}\n"))));

    /// <summary>E80–E99: the command line boundary (output paths, exceptions, messages).</summary>
    private static IReadOnlyList<ErrorCase> CliCases { get; } =
    [
        // ---- output paths: checked before any data is loaded or any step trained
        new("E80", "cli", "train-char --checkpoint in a folder that does not exist", null, d => TrainChar(d, "--out", d.Path, "--checkpoint", d.File("nosuch/m.safetensors"))),
        new("E81", "cli", "train-char --checkpoint equal to the --text file", null, d => TrainChar(d, "--out", d.Path, "--checkpoint", d.File("t.txt"))),
        new("E82", "cli", "train-char --checkpoint reaching the --text file through a symlink", null, d => { File.CreateSymbolicLink(d.File("link.txt"), d.File("t.txt")); Cli(["train-char", "--text", Text(d), .. Tiny, "--out", d.Path, "--checkpoint", d.File("link.txt")]); }),
        new("E83", "cli", "train-char --checkpoint equal to the results.json it writes in --out", null, d => TrainChar(d, "--out", d.Path, "--checkpoint", d.File("results.json"))),
        new("E84", "cli", "train-char --out an existing file", null, d => TrainChar(d, "--out", d.File("t.txt"))),
        new("E85", "cli", "train-char --checkpoint an existing folder", null, d => TrainChar(d, "--out", d.Path, "--checkpoint", d.Path)),
        new("E86", "cli", "train-char --out below a regular file", null, d => TrainChar(d, "--out", d.File("t.txt/runs"))),
        new("E87", "cli", "train-char --out where no file can be created (/proc; root ignores chmod)", null, d => TrainChar(d, "--out", "/proc/autogradrnn-e87")),
        // ---- inputs: a folder where a file is expected
        new("E88", "cli", "train-char --text a folder", null, d => Cli("train-char", "--text", d.Path)),
        new("E89", "cli", "sample --checkpoint a folder", null, d => Cli("sample", "--checkpoint", d.Path)),
        // ---- a full disk while saving (injected: see DiskFull; CliFaultTests also fills a real tmpfs)
        new("E90", "cli", "disk full while saving the checkpoint", null, d => { using (new DiskFull("model.safetensors")) TrainChar(d, "--out", d.Path); }),
        new("E91", "cli", "disk full while saving results.json", null, d => { using (new DiskFull("results.json")) TrainChar(d, "--out", d.Path); }),
        // ---- messages that name the flag to change
        new("E92", "cli", "train-char on a text shorter than one batch", null, d => Cli("train-char", "--text", Text(d), "--seq", "500", "--batch", "8", "--out", d.Path)),
        new("E93", "cli", "a typo in a command name (trian-char)", null, _ => Cli("trian-char", "--text", "t.txt")),
        new("E94", "cli", "a typo in an option name (--txt)", null, _ => Cli("train-char", "--txt", "t.txt")),
        new("E95", "cli", "train-char --hidden 100000 (a weight matrix past what an array holds)", null, d => Cli("train-char", "--text", Text(d), "--hidden", "100000", "--out", d.Path)),
        new("E96", "cli", "forecast --window 50000 --hidden 4096 on a 100,000-row series (was an overflow; now the activations pass any machine's memory)", null, d => Cli("forecast", "--csv", LongSeries(d), "--periods", "48,336", "--window", "50000", "--hidden", "4096", "--out", d.Path)),
        new("E97", "cli", "long-memory --gaps 2000000000 (was an overflow)", null, d => Cli("long-memory", "--gaps", "2000000000", "--out", d.Path)),
        new("E98", "cli", "long-memory --cells \"\" (was an empty table, then an index error)", null, d => Cli("long-memory", "--cells", "", "--out", d.Path)),
        new("E99", "cli", "a number out of range for its flag (--steps 99999999999)", null, d => Cli("train-char", "--text", Text(d), "--steps", "99999999999")),
    ];
}
