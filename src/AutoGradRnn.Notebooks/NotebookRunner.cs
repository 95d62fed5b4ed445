using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AutoGradRnn.Notebooks;

/// <summary>What went wrong in a notebook: the notebook, the cell (1-based, counting all cells), the line in that cell and the exception.</summary>
public sealed class NotebookExecutionException(string notebook, int cell, int line, string kind, string message, Exception? inner)
    : Exception($"{notebook}: cell {cell}{(line > 0 ? $", line {line}" : "")}: {kind} error: {message}", inner)
{
    /// <summary>The notebook file.</summary>
    public string Notebook { get; } = notebook;
    /// <summary>1-based cell number.</summary>
    public int Cell { get; } = cell;
    /// <summary>1-based line within the cell (0 if unknown).</summary>
    public int Line { get; } = line;
}

/// <summary>Per-notebook results: how long each code cell took.</summary>
public sealed record NotebookReport(string Notebook, IReadOnlyList<(int Cell, TimeSpan Elapsed)> Cells, TimeSpan Total);

/// <summary>
/// Executes a notebook top to bottom and writes the outputs back in standard nbformat (stream, display_data,
/// execute_result, error). Cells run one at a time; a cell that runs longer than the timeout fails the notebook.
/// </summary>
public static class NotebookRunner
{
    private static readonly Lock ConsoleLock = new();

    /// <summary>
    /// Runs every code cell of <paramref name="notebook"/> in place; throws <see cref="NotebookExecutionException"/>
    /// at the first failing cell (whose error output is recorded first, so a saved notebook shows it).
    /// </summary>
    public static NotebookReport Run(Notebook notebook, TimeSpan cellTimeout)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var dir = Path.GetDirectoryName(Path.GetFullPath(notebook.Path))!;
        var name = Path.GetFileName(notebook.Path);
        var kernels = new Dictionary<string, IKernel>();
        var times = new List<(int, TimeSpan)>();
        var total = Stopwatch.StartNew();
        int executionCount = 0;
        // Console.SetOut is process-wide: one notebook at a time per process.
        lock (ConsoleLock)
        {
            var (originalOut, originalError) = (Console.Out, Console.Error);
            try
            {
                for (int i = 0; i < notebook.Cells.Count; i++)
                {
                    var cell = (JsonObject)notebook.Cells[i]!;
                    if (cell["cell_type"]?.GetValue<string>() != "code") continue;
                    var kernelName = notebook.KernelOf(cell);
                    var code = StripMagic(Notebook.Source(cell));
                    var outputs = new JsonArray();
                    cell["outputs"] = outputs;
                    cell["execution_count"] = ++executionCount;
                    if (string.IsNullOrWhiteSpace(code)) continue;
                    if (!kernels.TryGetValue(kernelName, out var kernel))
                        kernels[kernelName] = kernel = kernelName switch
                        {
                            "csharp" => new CSharpKernel(dir),
                            "fsharp" => new FSharpKernel(dir),
                            _ => throw new NotebookExecutionException(name, i + 1, 0, "kernel", $"unknown kernel '{kernelName}' (csharp, fsharp)", null),
                        };
                    var stdout = new StringWriter();
                    var watch = Stopwatch.StartNew();
                    CellOutcome outcome;
                    using (DisplaySink.Capture(v => { Flush(stdout, outputs); outputs.Add(new JsonObject { ["output_type"] = "display_data", ["data"] = Display.Bundle(v), ["metadata"] = new JsonObject() }); }))
                    {
                        Console.SetOut(stdout);
                        Console.SetError(stdout);
                        var context = ExecutionContext.Capture()!;
                        var task = Task.Factory.StartNew(() =>
                        {
                            CellOutcome result = default!;
                            ExecutionContext.Run(context, _ => result = kernel.Run(code, $"cell{i + 1}.{(kernelName == "fsharp" ? "fsx" : "csx")}"), null);
                            return result;
                        }, TaskCreationOptions.LongRunning);
                        if (!task.Wait(cellTimeout))
                            throw new NotebookExecutionException(name, i + 1, 0, "timeout", $"the cell ran longer than {cellTimeout.TotalSeconds:0} s", null);
                        outcome = task.Result;
                        Console.SetOut(originalOut);
                        Console.SetError(originalError);
                    }
                    times.Add((i + 1, watch.Elapsed));
                    Flush(stdout, outputs);
                    if (outcome.Error is { } error)
                    {
                        outputs.Add(new JsonObject
                        {
                            ["output_type"] = "error", ["ename"] = error.GetType().Name, ["evalue"] = error.Message,
                            ["traceback"] = new JsonArray((JsonNode)$"{error.GetType().FullName}: {error.Message}"),
                        });
                        throw new NotebookExecutionException(name, i + 1, outcome.ErrorLine, outcome.ErrorKind, error.Message, error);
                    }
                    if (outcome.HasValue)
                        outputs.Add(new JsonObject { ["output_type"] = "execute_result", ["data"] = Display.Bundle(outcome.Value), ["metadata"] = new JsonObject(), ["execution_count"] = executionCount });
                }
            }
            finally
            {
                Console.SetOut(originalOut);
                Console.SetError(originalError);
                foreach (var k in kernels.Values) k.Dispose();
            }
        }
        return new NotebookReport(name, times, total.Elapsed);
    }

    private static void Flush(StringWriter stdout, JsonArray outputs)
    {
        var text = stdout.ToString();
        if (text.Length == 0) return;
        stdout.GetStringBuilder().Clear();
        // Jupyter merges consecutive stream outputs; do the same so a cell's prints read as one block.
        if (outputs.Count > 0 && outputs[^1] is JsonObject last && last["output_type"]?.GetValue<string>() == "stream")
            last["text"] = Notebook.Lines(string.Concat(((JsonArray)last["text"]!).Select(l => l!.GetValue<string>())) + text);
        else outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = Notebook.Lines(text) });
    }

    /// <summary>Drops a leading Polyglot magic line (<c>#!csharp</c>, <c>#!fsharp</c>) that selects the kernel.</summary>
    private static string StripMagic(string code)
    {
        var trimmed = code.TrimStart();
        if (!trimmed.StartsWith("#!", StringComparison.Ordinal)) return code;
        int newline = trimmed.IndexOf('\n');
        return newline < 0 ? "" : "\n" + trimmed[(newline + 1)..];   // keep line numbers aligned with the cell
    }
}
