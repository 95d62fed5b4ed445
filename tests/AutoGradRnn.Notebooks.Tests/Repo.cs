using System.Diagnostics;

namespace AutoGradRnn.Notebooks.Tests;

/// <summary>Paths in the repository, found by walking up from the test binaries to AutoGradRnn.sln.</summary>
public static class Repo
{
    public static string Root => AutoGradRnn.TestSupport.RepoRoot.Path;

    public static string LibraryDll => Path.Combine(Root, "src", "AutoGradRnn", "bin", "Release", "net10.0", "AutoGradRnn.dll");

    /// <summary>The charts assembly the notebooks #r (with Plotly.NET beside it).</summary>
    public static string DisplayDll => Path.Combine(Root, "src", "AutoGradRnn.Display", "bin", "Release", "net10.0", "AutoGradRnn.Display.dll");

    public static string[] Notebooks => Directory.GetFiles(Path.Combine(Root, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal).ToArray();

    /// <summary>The npm folder with plotly.js, KaTeX and highlight.js, installed on first use (pinned in docs/site/package.json).</summary>
    public static string NodeModules
    {
        get
        {
            var site = Path.Combine(Root, "docs", "site");
            var modules = Path.Combine(site, "node_modules");
            if (File.Exists(Path.Combine(modules, "plotly.js-dist-min", "plotly.min.js")) && Directory.Exists(Path.Combine(modules, "katex", "dist"))
                && File.Exists(Path.Combine(modules, "@highlightjs", "cdn-assets", "highlight.min.js"))) return modules;
            var psi = new ProcessStartInfo("npm", ["install", "--prefix", site, "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"]) { UseShellExecute = false };
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("npm could not be started");
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"npm install in {site} failed with exit code {p.ExitCode}");
            return modules;
        }
    }
}

/// <summary>Tests that capture Console output or run notebooks must not run in parallel (Console.SetOut is process-wide).</summary>
[CollectionDefinition("notebooks", DisableParallelization = true)]
public sealed class NotebookCollection;
