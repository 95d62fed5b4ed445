using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AutoGradRnn.Notebooks.Tests;

/// <summary>
/// Executes a notebook in real Jupyter: Debian's nbconvert/nbclient driving the kernel the notebook names
/// (.net-csharp or .net-fsharp, from the .NET Interactive tool pinned in .config/dotnet-tools.json).
/// tests/jupyter-setup.sh installs all of it.
/// </summary>
public static class RealJupyter
{
    /// <summary>Debian's Python, which has Debian's Jupyter packages (python3 on PATH may be another Python).</summary>
    public const string Python = "/usr/bin/python3";

    public static readonly string[] Kernels = [".net-csharp", ".net-fsharp"];

    private const string Setup = "run tests/jupyter-setup.sh";

    private static readonly Lazy<string?> missing = new(FindMissing);

    /// <summary>Null when Jupyter and both kernels are there; otherwise one line saying what is missing and what to run.</summary>
    public static string? Missing => missing.Value;

    /// <summary>
    /// Runs the notebook at <paramref name="notebookPath"/> from its own folder (so relative #r paths resolve)
    /// with errors kept as outputs, and returns the executed notebook. The file itself is not rewritten.
    /// Each cell may take <paramref name="cellTimeout"/>; the whole run is stopped after <paramref name="limit"/> (default: an hour).
    /// </summary>
    public static JsonObject Execute(string notebookPath, TimeSpan cellTimeout, bool quick = true, TimeSpan? limit = null)
    {
        if (Missing is { } why) throw new InvalidOperationException(why);
        var output = Directory.CreateTempSubdirectory("autogradrnn-jupyter-");
        try
        {
            var psi = new ProcessStartInfo(Python)
            {
                WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(notebookPath))!,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[]
            {
                "-m", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
                $"--ExecutePreprocessor.timeout={(int)Math.Ceiling(cellTimeout.TotalSeconds)}",
                "--output-dir", output.FullName, Path.GetFileName(notebookPath),
            }) psi.ArgumentList.Add(arg);
            psi.Environment[NotebookExecutionTests.QuickSwitch] = quick ? "1" : null;
            psi.Environment["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1";
            psi.Environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1";   // ipykernel's debugger warning on every start

            var (exitCode, stderr) = Run(psi, limit ?? TimeSpan.FromHours(1));
            var executed = Path.Combine(output.FullName, Path.GetFileName(notebookPath));
            if (exitCode != 0 || !File.Exists(executed))
                throw new InvalidOperationException(
                    $"nbconvert could not execute {Path.GetFileName(notebookPath)} (exit code {exitCode}); if the kernel did not start, {Setup}.\n{Tail(WithoutTracebackFrames(stderr), 40)}");
            return JsonNode.Parse(File.ReadAllText(executed))!.AsObject();
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    /// <summary>An nbformat multiline string: a string or an array of strings.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    private static (int ExitCode, string Stderr) Run(ProcessStartInfo psi, TimeSpan limit)
    {
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{psi.FileName} could not be started");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);   // nbconvert and the kernel it started
            p.WaitForExit();
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish in {limit}.\n{Tail(stderr.Result, 40)}");
        }
        p.WaitForExit();
        _ = stdout.Result;
        return (p.ExitCode, stderr.Result);
    }

    private static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).TakeLast(lines));

    /// <summary>nbconvert's stderr without the frames of a Python traceback (its last line, the exception, stays).</summary>
    private static string WithoutTracebackFrames(string stderr)
    {
        var kept = new List<string>();
        var inTraceback = false;
        foreach (var line in stderr.Split('\n'))
        {
            if (line.StartsWith("Traceback (most recent call last)", StringComparison.Ordinal)) inTraceback = true;
            else if (inTraceback && line.StartsWith(' ')) continue;
            else inTraceback = false;
            kept.Add(line);
        }
        return string.Join('\n', kept);
    }

    private static string? FindMissing()
    {
        if (!File.Exists(Python)) return $"Real Jupyter is not set up ({Python} not found): {Setup}";
        const string probe = """
            import json
            try:
                import nbconvert, nbclient
                from jupyter_client.kernelspec import KernelSpecManager
            except ImportError as e:
                print(json.dumps({"error": str(e)}))
            else:
                print(json.dumps({"kernels": sorted(KernelSpecManager().find_kernel_specs())}))
            """;
        var psi = new ProcessStartInfo(Python, ["-c", probe]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1";
        string stdout, stderr;
        using (var p = Process.Start(psi) ?? throw new InvalidOperationException($"{Python} could not be started"))
        {
            var err = p.StandardError.ReadToEndAsync();
            stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            stderr = err.Result;
        }
        var last = stdout.Trim().Split('\n').Last();
        if (!last.StartsWith('{')) return $"Real Jupyter is not set up ({Python} failed: {Tail(stderr, 1)}): {Setup}";
        var answer = JsonNode.Parse(last)!.AsObject();
        if (answer["error"] is { } error) return $"Real Jupyter is not set up ({error.GetValue<string>()}): {Setup}";
        var found = answer["kernels"]!.AsArray().Select(k => k!.GetValue<string>()).ToHashSet();
        var absent = Kernels.Where(k => !found.Contains(k)).ToList();
        return absent.Count == 0 ? null : $"Jupyter has no {string.Join(" or ", absent)} kernel: {Setup}";
    }
}
