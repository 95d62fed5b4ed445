using System.Text.Json.Nodes;

namespace AutoGradRnn.Notebooks.Tests;

[Collection("notebooks")]
public class RunnerTests
{
    private static JsonObject Code(string source, string kernel = "csharp") => new()
    {
        ["cell_type"] = "code", ["execution_count"] = null, ["id"] = Guid.NewGuid().ToString("N")[..8],
        ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = kernel } },
        ["outputs"] = new JsonArray(), ["source"] = Notebook.Lines(source),
    };

    private static JsonObject Markdown(string source) => new()
    {
        ["cell_type"] = "markdown", ["id"] = Guid.NewGuid().ToString("N")[..8], ["metadata"] = new JsonObject(), ["source"] = Notebook.Lines(source),
    };

    /// <summary>Writes a notebook into a fresh temp folder and loads it.</summary>
    private static Notebook Make(params JsonObject[] cells)
    {
        var dir = Directory.CreateTempSubdirectory("nb-").FullName;
        var root = new JsonObject
        {
            ["cells"] = new JsonArray(cells), ["nbformat"] = 4, ["nbformat_minor"] = 5,
            ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = "csharp" } } },
        };
        var path = Path.Combine(dir, "test.ipynb");
        File.WriteAllText(path, root.ToJsonString());
        return Notebook.Load(path);
    }

    private static string Ref => $"#r \"{Repo.LibraryDll}\"\nusing AutoGradRnn;\nusing AutoGradRnn.Display;\nusing static AutoGradRnn.Ops;\n";

    private static JsonArray Outputs(Notebook nb, int cell) => (JsonArray)nb.Cells[cell]!["outputs"]!;

    private static string Text(JsonNode? output, string mime) => output!["data"]![mime]!.GetValue<string>();

    [Fact]
    public void Values_display_calls_and_console_output_become_nbformat_outputs()
    {
        var nb = Make(
            Markdown("# T\n$x$"),
            Code(Ref + "Console.WriteLine(\"hi\");\nvar x = Tensor.FromArray(new[] { 1.0, 2.0 });"),
            Code("display(GradCheck.Check(v => Sum(v * v), x));\ndisplay(new Html(\"<b>bold</b>\"));\nSum(x)"),
            Code("var unused = 3;"),
            Code("Console.Error.WriteLine(\"careful\");\nConsole.WriteLine(\"a\");\nConsole.WriteLine(\"b\");"));
        NotebookRunner.Run(nb, TimeSpan.FromSeconds(120));
        Assert.Equal("stream", Outputs(nb, 1)[0]!["output_type"]!.GetValue<string>());
        Assert.Equal("hi\n", Outputs(nb, 1)[0]!["text"]![0]!.GetValue<string>());
        var display = Outputs(nb, 2)[0]!;
        Assert.Equal("display_data", display["output_type"]!.GetValue<string>());
        Assert.Contains("gradcheck passed", Text(display, "text/html"));
        Assert.Equal("<b>bold</b>", Text(Outputs(nb, 2)[1], "text/html"));
        var result = Outputs(nb, 2)[2]!;
        Assert.Equal("execute_result", result["output_type"]!.GetValue<string>());
        Assert.Contains("Tensor&lt;Double&gt;", Text(result, "text/html"));
        Assert.Equal("Tensor<Double> [] 3", Text(result, "text/plain"));
        Assert.Empty(Outputs(nb, 3));
        // stderr is its own stream; consecutive writes to one stream merge into one output, as in Jupyter.
        Assert.Equal(["stderr:careful\n", "stdout:a\nb\n"], Outputs(nb, 4).Select(o => o!["name"]!.GetValue<string>() + ":" + string.Concat(o["text"]!.AsArray().Select(l => l!.GetValue<string>()))));
        Assert.Equal([1, 2, 3, 4], Enumerable.Range(1, 4).Select(i => nb.Cells[i]!["execution_count"]!.GetValue<int>()));
        Assert.Null(Notebook.Validate((JsonObject)JsonNode.Parse(nb.ToJson())!));
    }

    /// <summary>
    /// The bundles are exactly what .NET Interactive's formatter makes in Jupyter: the library's types (found through
    /// their TypeFormatterSourceAttribute) as text/html and text/plain, other values as text/html only, strings as
    /// text/plain only; <c>display</c> is the kernel's own helper, and a trailing <c>display(...)</c> is shown once.
    /// </summary>
    [Fact]
    public void Display_and_a_trailing_expression_carry_the_kernels_mime_bundles()
    {
        var nb = Make(
            Code(Ref + "var t = Tensor.FromArray(new[] { 1.0, 2.0 });\ndisplay(t);\nt"),
            Code("1 + 1"),
            Code("\"text\""),
            Code("display(new Html(\"<i>x</i>\"))"));
        NotebookRunner.Run(nb, TimeSpan.FromSeconds(120));
        var (shown, value) = (Outputs(nb, 0)[0]!, Outputs(nb, 0)[1]!);
        Assert.Equal(("display_data", "execute_result"), (shown["output_type"]!.GetValue<string>(), value["output_type"]!.GetValue<string>()));
        foreach (var output in new[] { shown, value })
        {
            Assert.Equal(["text/html", "text/plain"], output["data"]!.AsObject().Select(p => p.Key));
            Assert.StartsWith("<div class=\"autogradrnn-tensor\">", Text(output, "text/html"));
            Assert.StartsWith("Tensor<Double> [2]", Text(output, "text/plain"));
        }
        Assert.Equal(1, value["execution_count"]!.GetValue<int>());
        Assert.Equal(["text/html"], Outputs(nb, 1)[0]!["data"]!.AsObject().Select(p => p.Key));
        Assert.StartsWith("<div class=\"dni-plaintext\"><pre>2</pre></div>", Text(Outputs(nb, 1)[0], "text/html"));
        Assert.Equal("text", Text(Outputs(nb, 2)[0], "text/plain"));
        Assert.Equal(["display_data"], Outputs(nb, 3).Select(o => o!["output_type"]!.GetValue<string>()));
    }

    [Fact]
    public void FSharp_cells_run_in_their_own_kernel_with_display()
    {
        var nb = Make(
            Code($"#r \"{Repo.LibraryDll}\"\nopen AutoGradRnn\nlet t = Tensor.Ones<float>(2, 2)\nprintfn \"rank %d\" t.Rank\ndisplay t\nt.Shape.Rank", "fsharp"),
            Code("#!fsharp\nlet u = t.Count\nu"),
            Code("#!fsharp\nFile.Exists \"nothing-here\""));   // the F# kernel opens System.IO (UseDefaultFormatting)
        NotebookRunner.Run(nb, TimeSpan.FromSeconds(120));
        var outputs = Outputs(nb, 0);
        Assert.Equal("rank 2\n", outputs[0]!["text"]![0]!.GetValue<string>());
        Assert.Equal("display_data", outputs[1]!["output_type"]!.GetValue<string>());
        Assert.StartsWith("Tensor<Double> [2,2]", Text(outputs[1], "text/plain"));
        Assert.StartsWith("<div class=\"dni-plaintext\"><pre>2</pre>", Text(outputs[2], "text/html"));
        Assert.StartsWith("<div class=\"dni-plaintext\"><pre>4</pre>", Text(Outputs(nb, 1)[0], "text/html"));
        Assert.StartsWith("<div class=\"dni-plaintext\"><pre>False</pre>", Text(Outputs(nb, 2)[0], "text/html"));
    }

    [Fact]
    public void A_failing_cell_names_notebook_cell_line_and_exception_and_records_an_error_output()
    {
        var nb = Make(Markdown("# x"), Code(Ref + "var a = 1;"), Code("var b = 2;\nvar c = Tensor.Zeros<double>(2, 3).MatMul(Tensor.Zeros<double>(2, 3));"), Code("var never = 1;"));
        var e = Assert.Throws<NotebookExecutionException>(() => NotebookRunner.Run(nb, TimeSpan.FromSeconds(120)));
        // The kernel reports no line for an exception at run time (scripts are compiled without line information).
        Assert.Equal("test.ipynb: cell 3: runtime error: matmul: [2,3] x [2,3]: inner dimensions 3 and 2 differ", e.Message);
        Assert.Equal((3, 0), (e.Cell, e.Line));
        Assert.Equal("ShapeMismatchException", e.InnerException!.GetType().Name);
        var error = Outputs(nb, 2)[0]!;
        Assert.Equal("Error", error["ename"]!.GetValue<string>());   // as the Jupyter kernel writes it: the exception is in evalue and traceback
        Assert.StartsWith("AutoGradRnn.ShapeMismatchException: matmul", error["evalue"]!.GetValue<string>());
        Assert.Empty(Outputs(nb, 3));

        var compile = Make(Code("var ok = 1;"), Code("var x = 1;\nvar y = undefinedName;"));
        var ce = Assert.Throws<NotebookExecutionException>(() => NotebookRunner.Run(compile, TimeSpan.FromSeconds(60)));
        Assert.Equal("test.ipynb: cell 2, line 2: compile error: CS0103: The name 'undefinedName' does not exist in the current context", ce.Message);
        Assert.Equal(["stream", "error"], Outputs(compile, 1).Select(o => o!["output_type"]!.GetValue<string>()));
        Assert.Contains("(2,9): error CS0103", string.Concat(Outputs(compile, 1)[0]!["text"]!.AsArray().Select(l => l!.GetValue<string>())));
        Assert.Equal("compilation error", Outputs(compile, 1)[1]!["evalue"]!.GetValue<string>());

        var fs = Make(Code("let a = 1\nlet b = a + \"x\"", "fsharp"));
        var fe = Assert.Throws<NotebookExecutionException>(() => NotebookRunner.Run(fs, TimeSpan.FromSeconds(60)));
        Assert.Contains("cell 1, line 2: compile error: FS0001", fe.Message);

        var nuget = Make(Code("#r \"nuget:Newtonsoft.Json, 13.0.3\"\nvar j = 1;"));
        var ne = Assert.Throws<NotebookExecutionException>(() => NotebookRunner.Run(nuget, TimeSpan.FromSeconds(60)));
        Assert.StartsWith("test.ipynb: cell 1: kernel error: #r \"nuget:...\": this runner restores no NuGet packages", ne.Message);
    }

    /// <summary>
    /// .NET Interactive's C# kernel imports System, System.Text, System.Collections(.Generic), System.Linq and
    /// System.Threading.Tasks, not System.IO: a cell that uses Path without <c>using System.IO;</c> fails in Jupyter,
    /// so it fails here too.
    /// </summary>
    [Fact]
    public void A_CSharp_cell_using_Path_without_using_System_IO_fails_with_CS0103_as_in_the_real_kernel()
    {
        var nb = Make(Code("var parts = new List<string> { \"a\", \"b\" };\nvar joined = Path.Combine(parts.ToArray());"));
        var e = Assert.Throws<NotebookExecutionException>(() => NotebookRunner.Run(nb, TimeSpan.FromSeconds(60)));
        Assert.Equal("test.ipynb: cell 1, line 2: compile error: CS0103: The name 'Path' does not exist in the current context", e.Message);

        var fixedNb = Make(Code("using System.IO;\nvar joined = Path.Combine(\"a\", \"b\");\nvar sb = new StringBuilder(joined);\nsb.ToString()"));
        NotebookRunner.Run(fixedNb, TimeSpan.FromSeconds(60));
        Assert.Equal("a/b", Text(Outputs(fixedNb, 0)[0], "text/plain"));
    }

    /// <summary>Jupyter starts the kernel in the notebook's folder: relative #r and file paths resolve there, and the runner's own directory comes back afterwards.</summary>
    [Fact]
    public void Relative_references_and_paths_resolve_against_the_notebook_folder()
    {
        var before = Directory.GetCurrentDirectory();
        var nb = Make(Code("#!csharp\nSystem.IO.File.WriteAllText(\"here.txt\", \"x\");"));
        var dir = Path.GetDirectoryName(nb.Path)!;
        var relative = Path.GetRelativePath(dir, Repo.LibraryDll).Replace('\\', '/');
        Assert.False(Path.IsPathRooted(relative));
        nb.Cells.Add(Code($"#r \"{relative}\"\nAutoGradRnn.Tensor.FromArray(new[] {{ 1.0 }}).Count"));
        nb.Cells.Add(Code($"#!fsharp\n#r \"{relative}\"\nAutoGradRnn.Tensor.FromArray([| 1.0; 2.0 |]).Count"));
        NotebookRunner.Run(nb, TimeSpan.FromSeconds(120));
        Assert.True(File.Exists(Path.Combine(dir, "here.txt")));
        Assert.StartsWith("<div class=\"dni-plaintext\"><pre>1</pre>", Text(Outputs(nb, 1)[0], "text/html"));
        Assert.StartsWith("<div class=\"dni-plaintext\"><pre>2</pre>", Text(Outputs(nb, 2)[0], "text/html"));
        Assert.Equal(before, Directory.GetCurrentDirectory());
    }

    /// <summary>Chart ids come from the notebook's name and the cell, so rerunning a notebook rewrites it byte for byte.</summary>
    [Fact]
    public void Chart_ids_name_the_notebook_and_the_cell_so_a_rerun_writes_the_same_outputs()
    {
        var plotly = Path.Combine(Path.GetDirectoryName(Repo.DisplayDll)!, "Plotly.NET.dll");
        string[] RunOnce()
        {
            var nb = Make(
                Code($"#r \"{Repo.LibraryDll}\"\n#r \"{plotly}\"\n#r \"{Repo.DisplayDll}\"\nusing AutoGradRnn.Display;\nNotebookDisplay.Register();"),
                Markdown("two charts in one cell"),
                Code("display(Plot.Line(new[] { 1.0, 2.0 }));\nPlot.Line(new[] { 1.0, 2.0 })"));
            NotebookRunner.Run(nb, TimeSpan.FromSeconds(120));
            return [.. Outputs(nb, 2).Select(o => Text(o, "text/html")).Select(html => html[(html.IndexOf("id=\"", StringComparison.Ordinal) + 4)..].Split('"')[0])];
        }
        var first = RunOnce();
        Assert.Equal(["chart-test-c3-1", "chart-test-c3-2"], first);
        Assert.Equal(first, RunOnce());
        Assert.Null(AppContext.GetData(NotebookRunner.ChartScopeKey));   // no scope left behind
    }

    [Fact]
    public void A_cell_that_runs_too_long_fails_with_a_timeout()
    {
        var nb = Make(Code("System.Threading.Thread.Sleep(5000);"));
        var e = Assert.Throws<NotebookExecutionException>(() => NotebookRunner.Run(nb, TimeSpan.FromSeconds(1)));
        Assert.Contains("cell 1: timeout error: the cell ran longer than 1 s", e.Message);
    }

    [Fact]
    public void Malformed_and_missing_notebooks_are_named()
    {
        var dir = Directory.CreateTempSubdirectory("nb-").FullName;
        var bad = Path.Combine(dir, "bad.ipynb");
        File.WriteAllText(bad, "{\"nbformat\": 3, \"cells\": []}");
        Assert.Contains("bad.ipynb': nbformat must be 4", Assert.Throws<NotebookFormatException>(() => Notebook.Load(bad)).Message);
        File.WriteAllText(bad, "{ not json");
        Assert.Contains("not valid JSON", Assert.Throws<NotebookFormatException>(() => Notebook.Load(bad)).Message);
        Assert.Throws<FileNotFoundException>(() => Notebook.Load(Path.Combine(dir, "missing.ipynb")));
    }
}
