using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

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
/// Executes a notebook top to bottom in .NET Interactive's kernels (see <see cref="Kernels"/>) and writes what they
/// publish into the cells as a Jupyter front end does with the real kernel's messages (dotnet/interactive,
/// <c>ExecuteRequestHandler</c>): standard output and error become stream outputs, <c>display(...)</c> a display_data,
/// a trailing value an execute_result (each with exactly the MIME bundle the kernel formatted), diagnostics an
/// stderr stream, and a failure an error output. The process working directory is the notebook's folder while it
/// runs, as for a kernel that Jupyter starts next to the notebook, so relative <c>#r</c> and file paths resolve there.
/// Cells run one at a time; a cell that runs longer than the timeout fails the notebook.
/// </summary>
public static class NotebookRunner
{
    // The kernels swap Console.Out process-wide and the working directory and formatter settings are process-wide:
    // one notebook at a time per process.
    private static readonly Lock ConsoleLock = new();

    /// <summary>
    /// The <c>AppContext</c> slot in which AutoGradRnn.Display's <c>ChartHtml</c> finds its render scope
    /// (<c>ChartHtml.ScopeKey</c>). The runner sets it to <c>&lt;notebook&gt;-c&lt;cell&gt;</c> before each cell, so chart
    /// ids depend only on the notebook and the cell and a rerun writes the same outputs. It sets the slot rather than
    /// calling <c>ChartHtml.BeginScope</c> because the runner must not load AutoGradRnn.Display itself: notebooks #r
    /// their own copy.
    /// </summary>
    internal const string ChartScopeKey = "AutoGradRnn.Display.ChartScope";

    /// <summary>
    /// Runs every code cell of <paramref name="notebook"/> in place; throws <see cref="NotebookExecutionException"/>
    /// at the first failing cell (whose error output is recorded first, so a saved notebook shows it).
    /// <paramref name="cellStarting"/>, if given, is called before each non-empty code cell runs, with its 1-based
    /// number (counting all cells), the number of cells and its source; <paramref name="cellFinished"/> after it ran,
    /// with its number and how long it took.
    /// </summary>
    public static NotebookReport Run(Notebook notebook, TimeSpan cellTimeout,
        Action<int, int, string>? cellStarting = null, Action<int, TimeSpan>? cellFinished = null)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var dir = Path.GetDirectoryName(Path.GetFullPath(notebook.Path))!;
        var name = Path.GetFileName(notebook.Path);
        var times = new List<(int, TimeSpan)>();
        var total = Stopwatch.StartNew();
        int executionCount = 0;
        lock (ConsoleLock)
        {
            var previousDirectory = Directory.GetCurrentDirectory();
            var previousScope = AppContext.GetData(ChartScopeKey);
            var stem = Path.GetFileNameWithoutExtension(name);
            Kernels.SetUpFormatters();
            var kernel = Kernels.Create(notebook.DefaultKernel);
            var displays = new Dictionary<string, List<JsonObject>>();
            try
            {
                Directory.SetCurrentDirectory(dir);
                for (int i = 0; i < notebook.Cells.Count; i++)
                {
                    var cell = (JsonObject)notebook.Cells[i]!;
                    if (cell["cell_type"]?.GetValue<string>() != "code") continue;
                    var kernelName = notebook.KernelOf(cell);
                    var code = Notebook.Source(cell);
                    var outputs = new JsonArray();
                    cell["outputs"] = outputs;
                    cell["execution_count"] = ++executionCount;
                    if (string.IsNullOrWhiteSpace(code)) continue;
                    if (!Kernels.Names.Contains(kernelName))
                        throw new NotebookExecutionException(name, i + 1, 0, "kernel", $"unknown kernel '{kernelName}' ({string.Join(", ", Kernels.Names)})", null);
                    cellStarting?.Invoke(i + 1, notebook.Cells.Count, code);
                    AppContext.SetData(ChartScopeKey, $"{stem}-c{i + 1}");
                    var watch = Stopwatch.StartNew();
                    var run = Task.Factory.StartNew(() => kernel.SendAsync(new SubmitCode(code, kernelName)), TaskCreationOptions.LongRunning).Unwrap();
                    try
                    {
                        if (!run.Wait(cellTimeout))
                            throw new NotebookExecutionException(name, i + 1, 0, "timeout", $"the cell ran longer than {cellTimeout.TotalSeconds:0} s", null);
                    }
                    catch (AggregateException e) when (e.InnerExceptions.Count == 1)
                    {
                        throw new NotebookExecutionException(name, i + 1, 0, "kernel", e.InnerException!.Message, e.InnerException);
                    }
                    times.Add((i + 1, watch.Elapsed));
                    cellFinished?.Invoke(i + 1, watch.Elapsed);
                    if (Write(run.Result.Events, outputs, executionCount, displays) is { } failure)
                        throw Failure(name, i + 1, failure, run.Result.Events);
                }
            }
            finally
            {
                Directory.SetCurrentDirectory(previousDirectory);
                AppContext.SetData(ChartScopeKey, previousScope);
                kernel.Dispose();
            }
        }
        return new NotebookReport(name, times, total.Elapsed);
    }

    /// <summary>Appends the outputs the events stand for; returns the <see cref="CommandFailed"/> if the cell failed.</summary>
    private static CommandFailed? Write(IReadOnlyList<KernelEvent> events, JsonArray outputs, int executionCount, Dictionary<string, List<JsonObject>> displays)
    {
        CommandFailed? failed = null;
        foreach (var e in events)
            switch (e)
            {
                case StandardOutputValueProduced o:
                    Stream(outputs, "stdout", PlainText(o));
                    break;
                case StandardErrorValueProduced or ErrorProduced:
                    Stream(outputs, "stderr", PlainText((DisplayEvent)e));
                    break;
                case DisplayedValueProduced d:
                    var display = new JsonObject { ["output_type"] = "display_data", ["data"] = Bundle(d), ["metadata"] = new JsonObject() };
                    outputs.Add(display);
                    if (d.ValueId is { } id) (displays.TryGetValue(id, out var shown) ? shown : displays[id] = []).Add(display);
                    break;
                case DisplayedValueUpdated u when u.ValueId is { } updated && displays.TryGetValue(updated, out var targets):
                    foreach (var target in targets) target["data"] = Bundle(u);
                    break;
                case ReturnValueProduced { Value: not DisplayedValue } r:   // a trailing display(...) was already shown
                    outputs.Add(new JsonObject { ["output_type"] = "execute_result", ["data"] = Bundle(r), ["metadata"] = new JsonObject(), ["execution_count"] = executionCount });
                    break;
                case DiagnosticsProduced { FormattedDiagnostics.Count: > 0 } diagnostics:
                    Stream(outputs, "stderr", "\n" + string.Join("\n\n", diagnostics.FormattedDiagnostics.Select(v => v.Value)) + "\n\n");
                    break;
                case CommandFailed f:
                    failed = f;
                    var compile = f.Exception is CodeSubmissionCompilationErrorException;
                    var traceback = new JsonArray();
                    if (f.Exception is null) traceback.Add(f.Message);
                    else if (!compile)
                    {
                        traceback.Add(f.Exception.ToString());
                        foreach (var line in (f.Exception.StackTrace ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)) traceback.Add(line);
                    }
                    outputs.Add(new JsonObject
                    {
                        ["output_type"] = "error", ["ename"] = "Error", ["evalue"] = compile ? "compilation error" : f.Message, ["traceback"] = traceback,
                    });
                    break;
            }
        return failed;
    }

    /// <summary>The MIME bundle exactly as the kernel formatted it (JSON kept as JSON, as the real kernel does).</summary>
    private static JsonObject Bundle(DisplayEvent e)
    {
        var data = new JsonObject();
        foreach (var v in e.FormattedValues)
            data[v.MimeType] = v.MimeType == JsonFormatter.MimeType ? JsonNode.Parse(v.Value) : JsonValue.Create(v.Value);
        return data;
    }

    private static string PlainText(DisplayEvent e) =>
        e.FormattedValues.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? e.Value?.ToString() ?? "";

    private static void Stream(JsonArray outputs, string stream, string text)
    {
        if (text.Length == 0) return;
        // Jupyter front ends merge consecutive output on the same stream into one output; so does the runner.
        if (outputs.Count > 0 && outputs[^1] is JsonObject last && last["output_type"]?.GetValue<string>() == "stream" && last["name"]?.GetValue<string>() == stream)
            last["text"] = Notebook.Lines(string.Concat(((JsonArray)last["text"]!).Select(l => l!.GetValue<string>())) + text);
        else outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = stream, ["text"] = Notebook.Lines(text) });
    }

    /// <summary>
    /// The failure as an exception naming the notebook, the cell and, for a compilation error, the line of the first
    /// error diagnostic (the kernel reports no line for an exception at run time).
    /// </summary>
    private static NotebookExecutionException Failure(string notebook, int cell, CommandFailed failed, IReadOnlyList<KernelEvent> events)
    {
        var errors = events.OfType<DiagnosticsProduced>().SelectMany(d => d.Diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var exception = failed.Exception is TargetInvocationException { InnerException: { } inner } ? inner : failed.Exception;
        if (exception is CodeSubmissionCompilationErrorException || (exception is null && errors.Count > 0))
        {
            int line = errors.Count > 0 ? errors[0].LinePositionSpan.Start.Line + 1 : 0;
            var message = errors.Count > 0 ? string.Join("; ", errors.Select(d => $"{d.Code}: {d.Message}")) : failed.Message;
            return new NotebookExecutionException(notebook, cell, line, "compile", message, exception);
        }
        return exception is null
            ? new NotebookExecutionException(notebook, cell, 0, "kernel", failed.Message, null)
            : new NotebookExecutionException(notebook, cell, 0, "runtime", exception.Message, exception);
    }
}
