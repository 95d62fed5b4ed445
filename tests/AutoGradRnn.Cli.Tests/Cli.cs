using System.Diagnostics;
using AutoGradRnn.Cli;
using Spectre.Console;

namespace AutoGradRnn.Cli.Tests;

/// <summary>Runs the CLI in process with captured output, or the packed tool as a user would.</summary>
public static class Cli
{
    public static string Root => AutoGradRnn.TestSupport.RepoRoot.Path;

    public static string Data(string file) => Path.Combine(Root, "data", file);

    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        int exit = CliApp.Run(args, console, error);
        return (exit, output.ToString(), error.ToString());
    }

    public static (int Exit, string Out, string Err) Process(string file, string arguments, string workingDirectory, int timeoutSeconds = 600,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file, arguments) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000)) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{file} {arguments} ran longer than {timeoutSeconds} s"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("autogradrnn-cli-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}
