using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AutoGradRnn.Notebooks;

/// <summary>A Jupyter notebook in nbformat 4, read and written as JSON so unknown metadata survives a round trip.</summary>
public sealed class Notebook
{
    private readonly JsonObject root;

    private Notebook(string path, JsonObject root) { Path = path; this.root = root; }

    /// <summary>Where the notebook was read from.</summary>
    public string Path { get; }

    /// <summary>The cells, in order.</summary>
    public JsonArray Cells => (JsonArray)root["cells"]!;

    /// <summary>The notebook-level metadata.</summary>
    public JsonObject Metadata => (JsonObject)(root["metadata"] ??= new JsonObject());

    /// <summary>The default kernel (Polyglot <c>kernelInfo.defaultKernelName</c>; else the kernelspec's language; else C#).</summary>
    public string DefaultKernel =>
        Metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>()
        ?? (Metadata["kernelspec"]?["name"]?.GetValue<string>() == ".net-fsharp" ? "fsharp" : "csharp");

    /// <summary>Reads and checks a notebook file.</summary>
    public static Notebook Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"notebook '{path}' does not exist", path);
        JsonNode? node;
        try { node = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new NotebookFormatException(path, $"not valid JSON ({e.Message})"); }
        if (node is not JsonObject root) throw new NotebookFormatException(path, "the top level is not a JSON object");
        var problem = Validate(root);
        if (problem is not null) throw new NotebookFormatException(path, problem);
        return new Notebook(path, root);
    }

    /// <summary>
    /// Checks the parts of nbformat 4 that readers rely on: nbformat 4, metadata, cells each with cell_type,
    /// metadata and source (and for code cells execution_count and outputs with valid output types).
    /// Returns null when the notebook is valid, else what is wrong.
    /// </summary>
    public static string? Validate(JsonObject root)
    {
        if (root["nbformat"]?.GetValueKind() != JsonValueKind.Number || root["nbformat"]!.GetValue<int>() != 4) return "nbformat must be 4";
        if (root["nbformat_minor"]?.GetValueKind() != JsonValueKind.Number) return "nbformat_minor is missing";
        if (root["metadata"] is not JsonObject) return "metadata must be an object";
        if (root["cells"] is not JsonArray cells) return "cells must be an array";
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not JsonObject cell) return $"cell {i + 1} is not an object";
            var type = cell["cell_type"]?.GetValue<string>();
            if (type is not ("code" or "markdown" or "raw")) return $"cell {i + 1} has cell_type '{type}'";
            if (cell["metadata"] is not JsonObject) return $"cell {i + 1} has no metadata object";
            if (cell["source"] is not (JsonArray or JsonValue)) return $"cell {i + 1} has no source";
            if (type != "code") continue;
            if (!cell.ContainsKey("execution_count")) return $"code cell {i + 1} has no execution_count";
            if (cell["outputs"] is not JsonArray outputs) return $"code cell {i + 1} has no outputs array";
            foreach (var o in outputs)
            {
                var ot = o?["output_type"]?.GetValue<string>();
                switch (ot)
                {
                    case "stream" when o!["name"] is not null && o["text"] is not null: break;
                    case "display_data" when o!["data"] is JsonObject && o["metadata"] is JsonObject: break;
                    case "execute_result" when o!["data"] is JsonObject && o["metadata"] is JsonObject && o.AsObject().ContainsKey("execution_count"): break;
                    case "error" when o!["ename"] is not null && o["evalue"] is not null && o["traceback"] is JsonArray: break;
                    default: return $"code cell {i + 1} has an invalid output ('{ot}')";
                }
            }
        }
        return null;
    }

    /// <summary>The source text of a cell (nbformat allows a string or a list of lines).</summary>
    public static string Source(JsonObject cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l!.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    /// <summary>Splits text into nbformat's list of lines, each but the last keeping its "\n".</summary>
    public static JsonArray Lines(string text)
    {
        var result = new JsonArray();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n') { result.Add(text[start..(i + 1)]); start = i + 1; }
        if (start < text.Length) result.Add(text[start..]);
        return result;
    }

    /// <summary>The kernel of a cell: Polyglot's per-cell kernelName, a leading <c>#!fsharp</c>/<c>#!csharp</c>, or the default.</summary>
    public string KernelOf(JsonObject cell)
    {
        var source = Source(cell).TrimStart();
        if (source.StartsWith("#!fsharp", StringComparison.Ordinal) || source.StartsWith("#!f#", StringComparison.Ordinal)) return "fsharp";
        if (source.StartsWith("#!csharp", StringComparison.Ordinal) || source.StartsWith("#!c#", StringComparison.Ordinal)) return "csharp";
        return cell["metadata"]?["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
            ?? cell["metadata"]?["dotnet_interactive"]?["language"]?.GetValue<string>()
            ?? DefaultKernel;
    }

    /// <summary>The JSON text as Jupyter writes it (one-space indent, trailing newline), so diffs stay small.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = 1, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            root.WriteTo(w);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Writes the notebook atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var temp = full + ".tmp";
        File.WriteAllText(temp, ToJson(), new UTF8Encoding(false));
        File.Move(temp, full, overwrite: true);
    }
}

/// <summary>A notebook file that is not valid nbformat 4: names the file and the problem.</summary>
public sealed class NotebookFormatException(string path, string problem) : Exception($"notebook '{path}': {problem}")
{
    /// <summary>The file.</summary>
    public string NotebookPath { get; } = path;
}
