using System.Diagnostics;
using AutoGradRnn.Cli;
using Spectre.Console;

namespace AutoGradRnn.Reliability.Tests;

public static class Repo
{
    public static string Root => AutoGradRnn.TestSupport.RepoRoot.Path;

    /// <summary>The probe's DLL, built next to the tests (it is a project reference).</summary>
    public static string Probe => Path.Combine(AppContext.BaseDirectory, "AutoGradRnn.Probe.dll");

    public static Process StartProbe(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Probe);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    public static (int Exit, string Err) RunCli(params string[] args)
    {
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        return (CliApp.Run(args, console, error), error.ToString().TrimEnd('\n'));
    }
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("agr-rel-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
