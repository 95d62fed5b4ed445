using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AutoGradRnn.Cli;

/// <summary>An .onnx file that ONNX Runtime cannot load or run, or that is not a character model from <c>export-onnx</c>: one line naming the file.</summary>
internal sealed class OnnxModelException(string path, string detail) : IOException($"ONNX model '{path}': {detail}")
{
    /// <summary>The file.</summary>
    public string FilePath { get; } = path;
}

/// <summary>
/// A character model exported by <c>export-onnx</c> (<see cref="CharModelOnnx"/>), loaded in ONNX Runtime: its vocabulary
/// and shape come from the model's metadata, and <see cref="Stepper"/> runs it one character at a time, carrying the state
/// (hn, cn) into the next call's h0, c0.
/// </summary>
internal sealed class OnnxCharModel : IDisposable
{
    private readonly InferenceSession session;

    public string Path { get; }
    public CharVocabulary Vocabulary { get; }
    public string Cell { get; }
    public int Hidden { get; }
    public int Layers { get; }
    public bool HasCellState { get; }

    private OnnxCharModel(string path, InferenceSession session, CharVocabulary vocabulary, string cell, int hidden, int layers, bool hasCellState) =>
        (Path, this.session, Vocabulary, Cell, Hidden, Layers, HasCellState) = (path, session, vocabulary, cell, hidden, layers, hasCellState);

    /// <summary>The graph's inputs and outputs as ONNX Runtime reads them: <c>name type [dims]</c>, symbolic dims by name.</summary>
    public IReadOnlyList<string> Inputs => Describe(session.InputMetadata);
    public IReadOnlyList<string> Outputs => Describe(session.OutputMetadata);

    private static string[] Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        [.. nodes.Select(n => $"{n.Key} {TypeName(n.Value.ElementDataType)} [{string.Join(", ", n.Value.Dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : n.Value.SymbolicDimensions[i]))}]")];

    private static string TypeName(TensorElementType t) => t switch { TensorElementType.Float => "float", TensorElementType.Int64 => "int64", _ => t.ToString().ToLowerInvariant() };

    /// <summary>
    /// Loads <paramref name="path"/>: ONNX Runtime's refusal (not an ONNX file, truncated, corrupted) and a model without the
    /// metadata, inputs or outputs of <see cref="CharModelOnnx"/> are <see cref="OnnxModelException"/>s naming the file and what is missing.
    /// </summary>
    public static OnnxCharModel Load(string path)
    {
        InferenceSession session;
        try { session = new InferenceSession(path); }
        catch (OnnxRuntimeException e) { throw new OnnxModelException(path, $"ONNX Runtime cannot load it (not an ONNX model, or truncated or corrupted): {Reason(e)}"); }
        try
        {
            var meta = session.ModelMetadata.CustomMetadataMap;
            var missing = CharModelOnnx.MetadataKeys.Where(k => !meta.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw new OnnxModelException(path, $"not a character model from export-onnx: its metadata has no {string.Join(", ", missing.Select(k => $"'{k}'"))}");
            if (meta["model"] != "char-lm") throw new OnnxModelException(path, $"its metadata says model '{meta["model"]}', not a character language model ('char-lm')");
            var vocabulary = ReadVocabulary(path, meta["vocabulary"]);
            int Positive(string key) => int.TryParse(meta[key], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n
                : throw new OnnxModelException(path, $"its metadata '{key}' = '{meta[key]}' is not a positive integer");
            int hidden = Positive("hidden"), layers = Positive("layers");
            CellKind cell;
            try { cell = CellKinds.Parse(meta["cell"]); }
            catch (ArgumentException) { throw new OnnxModelException(path, $"its metadata 'cell' = '{meta["cell"]}' is not a cell kind"); }
            bool c = CharModelOnnx.HasCellState(cell);
            string[] inputs = c ? [CharModelOnnx.Ids, CharModelOnnx.InitialH, CharModelOnnx.InitialC] : [CharModelOnnx.Ids, CharModelOnnx.InitialH];
            string[] outputs = c ? [CharModelOnnx.Logits, CharModelOnnx.FinalH, CharModelOnnx.FinalC] : [CharModelOnnx.Logits, CharModelOnnx.FinalH];
            var noInput = inputs.Where(n => !session.InputMetadata.ContainsKey(n)).Concat(outputs.Where(n => !session.OutputMetadata.ContainsKey(n))).ToList();
            if (noInput.Count > 0)
                throw new OnnxModelException(path, $"not a character model from export-onnx: its graph has no {string.Join(", ", noInput.Select(n => $"'{n}'"))} (a {CellKinds.Name(cell)} model needs inputs {string.Join(", ", inputs)} and outputs {string.Join(", ", outputs)})");
            if (session.OutputMetadata[CharModelOnnx.Logits].Dimensions is [.., var v] && v != vocabulary.Size)
                throw new OnnxModelException(path, $"its logits have {v} classes but its metadata 'vocabulary' has {vocabulary.Size} characters");
            return new OnnxCharModel(path, session, vocabulary, CellKinds.Name(cell), hidden, layers, c);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The metadata's vocabulary, a JSON array of the characters in index order, each one Unicode scalar value.</summary>
    private static CharVocabulary ReadVocabulary(string path, string json)
    {
        string[]? characters = null;
        try { characters = System.Text.Json.JsonSerializer.Deserialize<string[]>(json); }
        catch (System.Text.Json.JsonException) { }
        if (characters is null || characters.Any(c => c is null || c.EnumerateRunes().Count() != 1))
            throw new OnnxModelException(path, "its metadata 'vocabulary' is not a JSON array of characters (one Unicode scalar value each)");
        try { return new CharVocabulary(string.Concat(characters)); }
        catch (ArgumentException e) { throw new OnnxModelException(path, $"its metadata 'vocabulary' is not a vocabulary ({CliApp.Message(e)})"); }
    }

    /// <summary>ONNX Runtime's message on one line, without its "[ErrorCode:…]" prefix and the "Load model from … failed:" that repeats the path.</summary>
    private static string Reason(OnnxRuntimeException e)
    {
        var line = e.Message.Split('\n')[0].Trim();
        if (line.StartsWith('[') && line.IndexOf(']') is > 0 and var end) line = line[(end + 1)..].Trim();
        const string load = "Load model from ";
        if (line.StartsWith(load, StringComparison.Ordinal) && line.LastIndexOf(" failed:", StringComparison.Ordinal) is > 0 and var failed) line = line[(failed + " failed:".Length)..].Trim();
        return line;
    }

    /// <summary>
    /// A function that feeds one character index (batch 1, time 1) and returns the logits after it, starting from the zero
    /// state and carrying hn (and cn) into the next call: what <c>CharLanguageModel.Generate</c> steps.
    /// </summary>
    public Func<int, float[]> Stepper()
    {
        var h = new float[Layers * Hidden];
        var c = HasCellState ? new float[Layers * Hidden] : null;
        int[] stateShape = [Layers, 1, Hidden];
        return id =>
        {
            var feeds = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor(CharModelOnnx.Ids, new DenseTensor<long>(new long[] { id }, [1, 1])),
                NamedOnnxValue.CreateFromTensor(CharModelOnnx.InitialH, new DenseTensor<float>(h, stateShape)),
            };
            if (c is not null) feeds.Add(NamedOnnxValue.CreateFromTensor(CharModelOnnx.InitialC, new DenseTensor<float>(c, stateShape)));
            try
            {
                using var results = session.Run(feeds);
                var byName = results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
                h = byName[CharModelOnnx.FinalH];
                if (c is not null) c = byName[CharModelOnnx.FinalC];
                return byName[CharModelOnnx.Logits];
            }
            catch (OnnxRuntimeException e) { throw new OnnxModelException(Path, $"ONNX Runtime cannot run it: {Reason(e)}"); }
        };
    }

    public void Dispose() => session.Dispose();
}
