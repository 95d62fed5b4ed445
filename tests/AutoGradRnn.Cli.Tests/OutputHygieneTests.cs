using System.Text.RegularExpressions;

namespace AutoGradRnn.Cli.Tests;

/// <summary>
/// What lands in a log or a terminal: redirected output is plain text (no ANSI codes) and never wraps a value at
/// 80 columns; NO_COLOR turns colour off on a terminal too; non-ASCII text prints whole (UTF-8).
/// The CLI runs as a real process here, since redirection and NO_COLOR are properties of the process.
/// </summary>
public partial class OutputHygieneTests
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "AutoGradRnn.Cli.dll");

    private static (int Exit, string Out, string Err) RunProcess(string arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        Cli.Process("dotnet", $"\"{Dll}\" {arguments}", AppContext.BaseDirectory, 300, environment);

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Colour();

    [Fact]
    public void Redirected_output_has_no_escape_codes_and_no_wrapped_values()
    {
        using var dir = new TempDir();
        var text = dir.File("text.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 300)));
        var (exit, stdout, stderr) = RunProcess($"train-char --text \"{text}\" --hidden 4 --steps 100 --seq 8 --batch 2 --threads 1 --out \"{dir.Path}\"");
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain('\x1b', stdout);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Lines longer than the 80 columns Spectre assumes without a terminal come out whole.
        Assert.Contains(lines, l => l.Length > 80 && Regex.IsMatch(l, @"^train-char: step \d+/100, .*, ETA \d\d:\d\d:\d\d$"));
        Assert.All(lines.Where(l => l.Contains("ETA")), l => Assert.Matches(@"ETA \d\d:\d\d:\d\d$", l));
        Assert.Contains($"results: {dir.File("results.json")}, chart: {dir.File("chart.html")}", lines);
    }

    [Fact]
    public void Non_ascii_text_prints_whole_in_utf8()
    {
        using var dir = new TempDir();
        var text = dir.File("text.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("héllo wörld ✓ çà ", 300)));
        var train = RunProcess($"train-char --text \"{text}\" --hidden 4 --steps 2 --seq 8 --batch 2 --threads 1 --out \"{dir.Path}\"");
        Assert.True(train.Exit == 0, train.Err);
        // Under a Latin-1 locale .NET would encode stdout as Latin-1: '✓' would print as '?'.
        var sample = RunProcess($"sample --checkpoint \"{dir.File("model.safetensors")}\" --prime \"wörld ✓\" --length 5", new Dictionary<string, string> { ["LANG"] = "en_US.ISO-8859-1", ["LC_ALL"] = "en_US.ISO-8859-1" });
        Assert.True(sample.Exit == 0, sample.Err);
        Assert.StartsWith("wörld ✓", sample.Out);
    }

    /// <summary>Runs the CLI on a pseudo-terminal (util-linux script), where Spectre.Console would colour its output.</summary>
    private static string OnTerminal(string arguments, bool noColor)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("script", $"-qec \"dotnet '{Dll}' {arguments}\" /dev/null")
            { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["TERM"] = "xterm-256color";
        psi.Environment.Remove("NO_COLOR");                    // set at all, even empty, Spectre.Console turns colour off
        if (noColor) psi.Environment["NO_COLOR"] = "1";
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(300_000));
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd() + stdout.Result);
        return stdout.Result;
    }

    [Fact]
    public void No_color_turns_colour_off_on_a_terminal()
    {
        if (!File.Exists("/usr/bin/script")) return;     // no pseudo-terminal to test with; the redirected test still runs
        Assert.Matches(Colour(), OnTerminal("gradcheck", noColor: false));   // the control: colour without NO_COLOR
        var plain = OnTerminal("gradcheck", noColor: true);
        Assert.DoesNotMatch(Colour(), plain);
        Assert.Contains("gradient checks passed", plain);
    }

    [Fact]
    public void No_color_and_redirection_make_a_plain_console()
    {
        var writer = new StringWriter();
        Assert.False(CliConsole.Create(writer, redirected: false, noColor: "1").Profile.Capabilities.Ansi);
        Assert.False(CliConsole.Create(writer, redirected: true, noColor: null).Profile.Capabilities.Ansi);
        Assert.Equal(CliConsole.RedirectedWidth, CliConsole.Create(writer, redirected: true, noColor: null).Profile.Width);
    }
}
