using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AutoGradRnn.Notebooks.Tests;

/// <summary>
/// One semantics: a C# and an F# notebook run through our runner (the docs.fsx path) and through real Jupyter on the
/// real .NET Interactive kernels give the same outputs, cell by cell: the same output types, the same MIME types and
/// the same text (stdout, text/plain, text/html), with only the chart ids masked (our runner names them after the
/// notebook and the cell, the kernel after the figure and a render count).
/// </summary>
[Collection("notebooks")]
public partial class RunnerMatchesJupyterTests
{
    [Theory]
    [InlineData("03-lstm-step-by-step.ipynb")]
    [InlineData("09-fsharp.ipynb")]
    public void Our_runner_and_real_Jupyter_write_the_same_outputs(string name)
    {
        if (RealJupyter.Missing is { } missing) Assert.Fail(missing);
        var path = Path.Combine(Repo.Root, "notebooks", name);
        var jupyter = RealJupyter.Execute(path, TimeSpan.FromSeconds(600));

        Environment.SetEnvironmentVariable(NotebookExecutionTests.QuickSwitch, "1");
        var ours = Notebook.Load(path);                    // in memory; the file is not rewritten
        NotebookRunner.Run(ours, TimeSpan.FromMinutes(10));

        var (a, b) = (ours.Cells, jupyter["cells"]!.AsArray());
        Assert.Equal(a.Count, b.Count);
        var differences = new List<string>();
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i]!["cell_type"]!.GetValue<string>() != "code") continue;
            var (x, y) = (Normalized(a[i]!), Normalized(b[i]!));
            if (x != y) differences.Add($"cell {i + 1}:\n  our runner:    {Shorten(x)}\n  real Jupyter:  {Shorten(y)}");
        }
        Assert.True(differences.Count == 0, $"{name}: {differences.Count} cells differ\n" + string.Join("\n", differences.Take(5)));
    }

    /// <summary>A cell's outputs as comparable text: type, MIME types and content, chart ids masked, the kernel's front-end bootstrap dropped.</summary>
    private static string Normalized(JsonNode cell)
    {
        var parts = new List<string>();
        foreach (var o in (cell["outputs"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var type = o["output_type"]!.GetValue<string>();
            if (type == "stream")
            {
                parts.Add($"stream:{o["name"]}={RealJupyter.Text(o["text"])}");
                continue;
            }
            if (o["data"] is not JsonObject data) { parts.Add(type); continue; }
            if (data["text/html"] is { } boot && RealJupyter.Text(boot).Contains("dotnet-interactive-this-cell", StringComparison.Ordinal)) continue;
            foreach (var (mime, value) in data.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                parts.Add($"{type}:{mime}={ChartId().Replace(RealJupyter.Text(value).Replace("\r\n", "\n"), "chart-ID")}");
        }
        return string.Join(" | ", parts);
    }

    private static string Shorten(string s) => s.Length <= 400 ? s : s[..400] + "…";

    [GeneratedRegex("chart-(?:[0-9a-f]{12}|[0-9A-Za-z_-]+-c[0-9]+)-[0-9]+")]
    private static partial Regex ChartId();
}
