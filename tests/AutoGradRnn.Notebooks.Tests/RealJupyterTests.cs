using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace AutoGradRnn.Notebooks.Tests;

/// <summary>
/// Every committed notebook also runs in real Jupyter, on the real .NET Interactive kernel it names, and
/// gives the kinds of output it is committed with (the committed outputs come from our own runner).
/// Needs tests/jupyter-setup.sh (tests/run.sh calls it); without it these tests fail and say so.
/// </summary>
[Collection("notebooks")]
public class RealJupyterTests(ITestOutputHelper log)
{
    public static TheoryData<string> Notebooks() => [.. Repo.Notebooks.Select(p => Path.GetFileName(p))];

    private static readonly TimeSpan CellTimeout = TimeSpan.FromSeconds(600);

    /// <summary>Cells whose errors are shown in full; the rest get one line each.</summary>
    private const int DetailedErrors = 3;

    [Theory, MemberData(nameof(Notebooks))]
    public void Runs_in_real_Jupyter_on_its_kernel_without_errors_and_with_the_committed_kinds_of_output(string name)
    {
        if (RealJupyter.Missing is { } missing) Assert.Fail(missing);
        var path = Path.Combine(Repo.Root, "notebooks", name);
        Assert.True(File.Exists(Repo.LibraryDll), $"{Repo.LibraryDll} is missing: dotnet build src/AutoGradRnn -c Release");
        Assert.True(File.Exists(Repo.DisplayDll), $"{Repo.DisplayDll} is missing: dotnet build src/AutoGradRnn.Display -c Release");
        var committed = JsonNode.Parse(File.ReadAllText(path))!.AsObject();

        var clock = Stopwatch.StartNew();
        var executed = RealJupyter.Execute(path, CellTimeout);
        log.WriteLine($"{name}: executed in real Jupyter in {clock.Elapsed.TotalSeconds:0.0} s");

        var problems = new List<string>();

        // (c) the kernel: the notebook's own kernelspec, and the language the running kernel reported.
        var fsharp = committed["metadata"]?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>() == "fsharp";
        var (kernel, language) = fsharp ? (".net-fsharp", "F#") : (".net-csharp", "C#");
        var ranOn = executed["metadata"]?["kernelspec"]?["name"]?.GetValue<string>();
        var reported = executed["metadata"]?["language_info"]?["name"]?.GetValue<string>();
        if (ranOn != kernel || reported != language)
            problems.Add($"ran on kernel '{ranOn}' (language '{reported}'), expected {kernel} ({language})");

        var before = committed["cells"]!.AsArray();
        var after = executed["cells"]!.AsArray();
        if (before.Count != after.Count) problems.Add($"has {after.Count} cells after execution, {before.Count} before");

        // (a) no errors: the kernel's ename/evalue, and the compiler's diagnostics (a stderr stream of the same cell).
        var errorCells = new List<int>();
        for (int i = 0; i < after.Count; i++)
        {
            var outputs = Outputs(after[i]!);
            var errors = outputs.Where(o => Type(o) == "error").ToList();
            if (errors.Count == 0) continue;
            errorCells.Add(i);
            var what = string.Join("; ", errors.Select(e => $"{e["ename"]?.GetValue<string>()}: {e["evalue"]?.GetValue<string>()}"));
            if (errorCells.Count > DetailedErrors)
            {
                problems.Add($"cell {i + 1}: {what}{FirstLine(Stderr(outputs))}");
                continue;
            }
            var text = new StringBuilder($"cell {i + 1}: {what}");
            foreach (var line in Lines(Stderr(outputs))) text.Append("\n    ").Append(line);
            problems.Add(text.ToString());
        }

        // (b) each cell committed with outputs gives outputs of the same kinds (kinds, not text).
        for (int i = 0; i < Math.Min(before.Count, after.Count); i++)
        {
            if (before[i]!["cell_type"]?.GetValue<string>() != "code" || errorCells.Contains(i)) continue;
            var want = Kinds(Outputs(before[i]!));
            if (want.Types.Count == 0) continue;
            var outputs = Outputs(after[i]!).Where(o => !IsKernelBootstrap(o)).ToList();
            var got = Kinds(outputs);
            var (wantCharts, gotCharts) = (Charts(Outputs(before[i]!)), Charts(outputs));
            if (wantCharts != gotCharts) problems.Add($"cell {i + 1}: committed with {wantCharts} chart(s), real Jupyter drew {gotCharts} as HTML");
            if (want.Types.SetEquals(got.Types) && want.Html.IsSubsetOf(got.Html)) continue;
            var text = new StringBuilder($"cell {i + 1}: committed with outputs [{Describe(want)}], real Jupyter gave [{Describe(got)}]");
            foreach (var line in Lines(Stderr(outputs))) text.Append("\n    ").Append(line);
            problems.Add(text.ToString());
        }

        if (problems.Count > 0)
            Assert.Fail($"{name} in real Jupyter ({ranOn}):\n  " + string.Join("\n  ", problems));
    }

    /// <summary>Charts in a cell's outputs: the HTML elements our chart formatter writes (Plotly.NET figures).</summary>
    private static int Charts(IEnumerable<JsonObject> outputs) =>
        outputs.Sum(o => o["data"]?["text/html"] is { } html ? CountOf(RealJupyter.Text(html), "class=\"autogradrnn-chart\"") : 0);

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static List<JsonObject> Outputs(JsonNode cell) =>
        cell["outputs"] is JsonArray outputs ? [.. outputs.OfType<JsonObject>()] : [];

    private static string Type(JsonObject output) => output["output_type"]?.GetValue<string>() ?? "";

    private static string Stderr(IEnumerable<JsonObject> outputs) =>
        string.Concat(outputs.Where(o => Type(o) == "stream" && o["name"]?.GetValue<string>() == "stderr").Select(o => RealJupyter.Text(o["text"])));

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0);

    private static string FirstLine(string text) => Lines(text).FirstOrDefault() is { } line ? $" — {line.Trim()}" : "";

    /// <summary>
    /// Output kinds: the output types (a stream with its name: stream:stdout, stream:stderr), and which of
    /// display_data/execute_result carry text/html (a table or a chart). The real kernel may add HTML our
    /// runner does not (it renders arrays and other objects as HTML trees), so HTML is required only where
    /// the committed notebook has it.
    /// </summary>
    private static (SortedSet<string> Types, SortedSet<string> Html) Kinds(IEnumerable<JsonObject> outputs)
    {
        var types = new SortedSet<string>(StringComparer.Ordinal);
        var html = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var o in outputs)
        {
            var type = Type(o);
            types.Add(type == "stream" ? $"stream:{o["name"]?.GetValue<string>()}" : type);
            if (type is "display_data" or "execute_result" && o["data"] is JsonObject data && data.ContainsKey("text/html")) html.Add(type);
        }
        return (types, html);
    }

    private static string Describe((SortedSet<string> Types, SortedSet<string> Html) kinds) =>
        string.Join(", ", kinds.Types.Select(t => kinds.Html.Contains(t) ? t + " with text/html" : t));

    /// <summary>The script the .NET Interactive kernel adds to the first cell it runs, to find its front end.</summary>
    private static bool IsKernelBootstrap(JsonObject output) =>
        Type(output) == "display_data" && output["data"]?["text/html"] is { } html && RealJupyter.Text(html).Contains("dotnet-interactive-this-cell", StringComparison.Ordinal);
}
