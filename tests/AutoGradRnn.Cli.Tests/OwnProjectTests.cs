using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AutoGradRnn.Cli.Tests;

/// <summary>
/// The README's "Use it in your own project", run as written on the packages its first block packed: a console
/// project that restores them from the folder, trains and draws; the notebook cell in real Jupyter on the real
/// .NET Interactive kernel; the tool installed from the folder. Blocks, in order: pack (bash), console project
/// (bash), its Program.cs (csharp), dotnet run (bash), the notebook cell (csharp), the tool (bash).
/// </summary>
[Collection("packages")]
public class OwnProjectTests(PackedPackages packages)
{
    private (string Language, string Code) Block(int index, string language)
    {
        Assert.True(packages.Blocks.Count == 6, $"the README's '{PackedPackages.Section}' should have 6 code blocks (pack, console project, Program.cs, dotnet run, notebook cell, tool), not {packages.Blocks.Count}");
        Assert.Equal(language, packages.Blocks[index].Language);
        return packages.Blocks[index];
    }

    [Fact]
    public void A_console_project_restores_the_packages_from_the_folder_trains_an_lstm_and_draws_its_loss()
    {
        var create = Block(1, "bash").Code;
        Assert.Contains("dotnet new console -o MyRnn", create);
        var dir = Directory.CreateDirectory(Path.Combine(packages.Dir, "console")).FullName;
        var (exit, output) = packages.Bash(create, dir);
        Assert.True(exit == 0, output);

        var project = Path.Combine(dir, "MyRnn");
        File.WriteAllText(Path.Combine(project, "Program.cs"), Block(2, "csharp").Code);
        (exit, output) = packages.Bash(Block(3, "bash").Code, project);
        Assert.True(exit == 0, output);
        var losses = output.Split('\n').Where(l => l.StartsWith("step ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(losses.Length == 3, output);                   // steps 0, 10 and 20
        Assert.True(losses[2] < losses[0] / 10, output);            // Adam fits the zero target
        Assert.Contains("Plotly.newPlot", File.ReadAllText(Path.Combine(project, "loss.html")));
        Assert.Contains(Path.Combine(packages.Dir, "nuget-packages"), File.ReadAllText(Path.Combine(project, "obj", "project.assets.json")));
    }

    /// <summary>
    /// The notebook cell, with the test's folder for the README's example path, then a cell using the library and
    /// one drawing a chart, executed by Jupyter's own client (nbconvert) on the .net-csharp kernel. The kernel's
    /// command, <c>dotnet interactive</c>, is the repository's local tool, so the notebook sits under the repository
    /// (in this project's bin/, which git ignores).
    /// </summary>
    [Fact]
    public void The_notebook_cell_references_the_packages_in_real_Jupyter()
    {
        var cell = Block(4, "csharp").Code;
        const string examplePath = "/home/you/AutoGradRnn/packages";
        Assert.Contains($"#i \"nuget: {examplePath}\"", cell);
        Assert.Contains("#r \"nuget: AutoGradRnn, 0.1.0\"", cell);
        if (JupyterMissing() is { } missing) Assert.Fail(missing);

        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "own-project-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            var notebook = new JsonObject
            {
                ["cells"] = new JsonArray(
                    Code(cell.Replace(examplePath, packages.Feed)),
                    Code("var lstm = Lstm<float>.Create(inputSize: 3, hiddenSize: 8, seed: 1);\nConsole.WriteLine($\"W_f {lstm.Wf.Shape}, sum {Sum(lstm.Wf)}\");"),
                    Code("Plot.Line(new[] { 1.0, 0.5, 0.25 }).WithTitle(\"loss\")")),
                ["metadata"] = new JsonObject
                {
                    ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                    ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
                },
                ["nbformat"] = 4, ["nbformat_minor"] = 5,
            };
            File.WriteAllText(Path.Combine(folder, "own.ipynb"), notebook.ToJsonString());
            var environment = new Dictionary<string, string>(packages.Environment)
            {
                ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1", ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
            };
            var (exit, stdout, stderr) = Cli.Process(Python, "-m nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.timeout=600 --output executed.ipynb own.ipynb",
                folder, 900, environment);
            Assert.True(exit == 0, stdout + stderr);
            var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "executed.ipynb")))!["cells"]!.AsArray();
            var outputs = executed.Select(c => c!["outputs"]!.AsArray()).ToArray();
            var errors = outputs.SelectMany(o => o).Where(o => o!["output_type"]!.GetValue<string>() == "error" || o["name"]?.GetValue<string>() == "stderr").ToList();
            Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e!.ToJsonString())));
            Assert.Contains(outputs[0], o => Text(o!["data"]?["text/html"]).Contains("AutoGradRnn.Display", StringComparison.Ordinal));   // installed packages
            Assert.Equal("W_f [11,8], sum Tensor<Single> [] 2.46219\n", Text(outputs[1].Single()!["text"]));
            Assert.Contains("Plotly.newPlot", Text(outputs[2].Single()!["data"]!["text/html"]));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The tool lines, with a tool folder of the test's own for -g (a test does not install tools machine-wide).</summary>
    [Fact]
    public void The_tool_installs_from_the_folder_and_runs()
    {
        var script = Block(5, "bash").Code;
        Assert.Contains("dotnet tool install -g AutoGradRnn.Cli", script);
        var tools = Path.Combine(packages.Dir, "tools");
        var environment = new Dictionary<string, string>(packages.Environment) { ["PATH"] = tools + ":" + System.Environment.GetEnvironmentVariable("PATH") };
        var (exit, output) = packages.Bash(script.Replace(" -g ", $" --tool-path \"{tools}\" "), packages.Dir, environment);
        Assert.True(exit == 0, output);
        Assert.Contains("gradient checks passed", output);

        var exe = Path.Combine(tools, "autogradrnn");
        var help = Cli.Process(exe, "--help", packages.Dir);
        Assert.Equal(0, help.Exit);
        Assert.Contains("train-char", help.Out);
        var bad = Cli.Process(exe, "forecast --csv missing.csv", packages.Dir);
        Assert.Equal(2, bad.Exit);
        Assert.Equal("autogradrnn: CSV file 'missing.csv' does not exist", bad.Err.Trim());
    }

    /// <summary>Debian's Python, which has Debian's Jupyter (tests/jupyter-setup.sh installs it and the kernels).</summary>
    private const string Python = "/usr/bin/python3";

    private static string? JupyterMissing()
    {
        if (!File.Exists(Python)) return $"Real Jupyter is not set up ({Python} not found): run tests/jupyter-setup.sh";
        var psi = new ProcessStartInfo(Python, ["-m", "jupyter", "kernelspec", "list"]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var list = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        _ = err.Result;
        return p.ExitCode == 0 && list.Contains(".net-csharp", StringComparison.Ordinal) ? null : "Jupyter has no .net-csharp kernel: run tests/jupyter-setup.sh";
    }

    private static JsonObject Code(string source) => new()
    {
        ["cell_type"] = "code", ["execution_count"] = null, ["id"] = Guid.NewGuid().ToString("N")[..8],
        ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } },
        ["outputs"] = new JsonArray(), ["source"] = source,
    };

    private static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };
}
