using System.Text.Json.Nodes;

namespace AutoGradRnn.Notebooks.Tests;

/// <summary>Every committed notebook executes from top to bottom, and what the runner writes is valid nbformat 4.</summary>
[Collection("notebooks")]
public class NotebookExecutionTests
{
    public static TheoryData<string> Notebooks() => [.. Repo.Notebooks.Select(p => Path.GetFileName(p))];

    /// <summary>Training-heavy cells read this switch and use CI sizes — the same code path, smaller numbers.</summary>
    public const string QuickSwitch = "AUTOGRADRNN_QUICK";

    [Theory, MemberData(nameof(Notebooks))]
    public void Executes_without_error_and_round_trips_as_nbformat_4(string name)
    {
        Environment.SetEnvironmentVariable(QuickSwitch, "1");
        var notebook = Notebook.Load(Path.Combine(Repo.Root, "notebooks", name));   // run in memory; the file is not rewritten
        var report = NotebookRunner.Run(notebook, TimeSpan.FromMinutes(5));
        Assert.NotEmpty(report.Cells);
        var reopened = (JsonObject)JsonNode.Parse(notebook.ToJson())!;
        Assert.Null(Notebook.Validate(reopened));
        var kernelspec = reopened["metadata"]!["kernelspec"]!["name"]!.GetValue<string>();
        Assert.Equal(notebook.DefaultKernel == "fsharp" ? ".net-fsharp" : ".net-csharp", kernelspec);
        Assert.All(reopened["cells"]!.AsArray(), c => Assert.NotNull(c!["id"]));
    }

    [Fact]
    public void There_are_notebooks_and_each_is_committed_with_outputs()
    {
        Assert.NotEmpty(Repo.Notebooks);
        foreach (var path in Repo.Notebooks)
        {
            var nb = Notebook.Load(path);
            var code = nb.Cells.OfType<JsonObject>().Where(c => c["cell_type"]!.GetValue<string>() == "code").ToList();
            Assert.True(code.Count(c => ((JsonArray)c["outputs"]!).Count > 0) >= code.Count / 2, $"{Path.GetFileName(path)} is committed without its outputs");
        }
    }
}
