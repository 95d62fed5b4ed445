using System.Diagnostics;
using AutoGradRnn.Cli;
using Spectre.Console;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// Faults at the command line's edges: a disk that fills while a checkpoint or results.json is written (injected, and
/// for real on a tiny tmpfs where the machine allows mounting one), and destinations that cannot be written, which
/// must be refused before any training. Each failure is one line naming the file, exit code 2, nothing half-written.
/// </summary>
public class CliFaultTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        return (CliApp.Run(args, console, error), output.ToString(), error.ToString());
    }

    private static string Text(TempDir dir)
    {
        var path = dir.File("text.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 200)));
        return path;
    }

    private static string[] TrainChar(string text, string? output, int hidden = 4) =>
        ["train-char", "--text", text, "--hidden", $"{hidden}", "--steps", "2", "--seq", "8", "--batch", "2", "--threads", "1", .. output is null ? [] : new[] { "--out", output }];

    /// <summary>One line naming the file, exit 2, the earlier file intact and no temporary file left.</summary>
    private static void AssertFailedCleanly((int Exit, string Out, string Err) run, string folder, string file, byte[] earlier)
    {
        Assert.Equal(2, run.Exit);
        Assert.Equal($"autogradrnn: cannot write '{Path.Combine(folder, file)}': No space left on device", run.Err.TrimEnd('\n'));
        Assert.Equal(earlier, File.ReadAllBytes(Path.Combine(folder, file)));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("results.json")]
    public void A_disk_that_fills_while_saving_gives_one_line_and_keeps_the_earlier_file(string file)
    {
        using var dir = new TempDir();
        var output = Directory.CreateDirectory(dir.File("out")).FullName;
        byte[] earlier = "an earlier run's file"u8.ToArray();
        File.WriteAllBytes(Path.Combine(output, file), earlier);
        (int, string, string) run;
        using (new DiskFull(file)) run = Run(TrainChar(Text(dir), output));
        AssertFailedCleanly(run, output, file, earlier);
    }

    [Fact]
    public void A_real_full_disk_gives_the_same_one_line()
    {
        using var dir = new TempDir();
        var output = Directory.CreateDirectory(dir.File("tiny")).FullName;
        // A 32 kB tmpfs holding a 24 kB earlier checkpoint: the probe (empty) fits, a 32-unit model's checkpoint (23 kB) does not. Mounting needs CAP_SYS_ADMIN; without it the injected test above covers this.
        if (!Mount($"-t tmpfs -o size=32k tmpfs {output}")) return;
        try
        {
            byte[] earlier = new byte[24 * 1024];
            File.WriteAllBytes(Path.Combine(output, "model.safetensors"), earlier);
            AssertFailedCleanly(Run(TrainChar(Text(dir), output, hidden: 32)), output, "model.safetensors", earlier);
        }
        finally { Mount($"-l {output}", "umount"); }
    }

    private static bool Mount(string arguments, string tool = "mount")
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    public static TheoryData<string, string, string> Unwritable() => new()
    {
        // We run as root, so chmod stops nothing: /proc refuses new files, and nothing can be created below a regular file.
        { "--out", "/proc/autogradrnn-fault-test", "autogradrnn: --out '/proc/autogradrnn-fault-test': cannot write in folder '/proc'" },
        { "--out", "<file>/sub", "autogradrnn: --out '<file>/sub': '<file>' is a file, not a folder" },
        { "--checkpoint", "/proc/m.safetensors", "autogradrnn: --checkpoint '/proc/m.safetensors': cannot write in folder '/proc'" },
        { "--checkpoint", "<file>/m.safetensors", "autogradrnn: --checkpoint '<file>/m.safetensors': '<file>' is a file, not a folder" },
    };

    [Theory, MemberData(nameof(Unwritable))]
    public void An_unwritable_destination_is_refused_before_training(string option, string path, string message)
    {
        using var dir = new TempDir();
        var file = dir.File("a-file");
        File.WriteAllText(file, "not a folder");
        var args = TrainChar(Text(dir), option == "--out" ? null : dir.File("out")).Concat([option, path.Replace("<file>", file)]).ToArray();
        var (exit, stdout, stderr) = Run(args);
        Assert.Equal(2, exit);
        Assert.Equal(message.Replace("<file>", file), stderr.TrimEnd('\n'));
        Assert.DoesNotContain("step", stdout);            // refused before the first training step
        Assert.Equal("not a folder", File.ReadAllText(file));
    }
}
