using System.Globalization;
using System.Text.Json;

namespace AutoGradRnn.Applications;

/// <summary>
/// A trained character language model (a <c>train-char</c> checkpoint) as an ONNX model that ONNX Runtime, or any ONNX
/// runtime, runs without this library. The graph computes exactly what <see cref="CharLanguageModel"/> computes:
/// <c>x_t = onehot(c_t)</c> (a <c>Gather</c> of the identity matrix's rows), the stacked cells as ONNX's native
/// <c>RNN</c>/<c>GRU</c>/<c>LSTM</c> ops, then <c>z_t = h_t·W_y + b_y</c>.
/// <list type="bullet">
/// <item>input <see cref="Ids"/>: int64 <c>[batch, time]</c>, the characters' indices in the vocabulary;</item>
/// <item>inputs <see cref="InitialH"/> (and <see cref="InitialC"/> for the LSTM kinds): float <c>[layers, batch, hidden]</c>,
/// the state to start from (zeros at the start of a text);</item>
/// <item>output <see cref="Logits"/>: float <c>[batch, time, vocabulary]</c>, the next character's logits after each step;</item>
/// <item>outputs <see cref="FinalH"/> (and <see cref="FinalC"/>): the state after the last step, to feed back as the next
/// call's initial state (what a sampler carries from character to character).</item>
/// </list>
/// The model's metadata (<c>metadata_props</c>) makes the file self-contained: <c>model</c> = <c>char-lm</c>, <c>cell</c>,
/// <c>hidden</c> and <c>layers</c> as in the checkpoint, and <c>vocabulary</c>: a JSON array of the characters in index order
/// (each a Unicode scalar value, as <see cref="ClassifierOnnx"/> writes its vocabulary).
/// </summary>
public static class CharModelOnnx
{
    /// <summary>The input of character indices, int64 <c>[batch, time]</c>.</summary>
    public const string Ids = "ids";
    /// <summary>The initial hidden state, float <c>[layers, batch, hidden]</c>.</summary>
    public const string InitialH = "h0";
    /// <summary>The initial cell state of the LSTM kinds, float <c>[layers, batch, hidden]</c>.</summary>
    public const string InitialC = "c0";
    /// <summary>The logits, float <c>[batch, time, vocabulary]</c>.</summary>
    public const string Logits = "logits";
    /// <summary>The final hidden state, float <c>[layers, batch, hidden]</c>.</summary>
    public const string FinalH = "hn";
    /// <summary>The final cell state of the LSTM kinds, float <c>[layers, batch, hidden]</c>.</summary>
    public const string FinalC = "cn";

    /// <summary>The metadata keys every exported model carries.</summary>
    public static IReadOnlyList<string> MetadataKeys { get; } = ["model", "cell", "hidden", "layers", "vocabulary"];

    /// <summary>Whether the state of <paramref name="cell"/> has a cell state C besides h (the LSTM kinds: inputs c0, outputs cn).</summary>
    public static bool HasCellState(CellKind cell) => cell is CellKind.Lstm or CellKind.PeepholeLstm or CellKind.CoupledLstm;

    /// <summary>
    /// The ONNX model (bytes of a <c>ModelProto</c>, opset 17) of the character model in <paramref name="checkpoint"/>.
    /// The cells ONNX has operators for export as those (batch and time free). A model ONNX has no recurrent operator for,
    /// a <c>coupled</c> LSTM or any model trained with zoneout (it samples with zoneout's expectation
    /// <c>s_t = p·s_(t−1) + (1 − p)·cell(s_(t−1), x_t)</c>), exports as the traced graph of one sampling step: the same
    /// inputs and outputs with batch 1 and time 1 (what a sampler feeds), the step's own equations as primitive ops
    /// (<see cref="OnnxTracedExport"/>), and the metadata key <c>traced</c> = <c>batch 1, time 1</c>. A checkpoint that is
    /// not a character model is a <see cref="CheckpointException"/>.
    /// </summary>
    public static byte[] Export(string checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var spec = CharModelCheckpoint.Read(checkpoint);
        return CellKinds.Visit(spec.Cell, new CellInit(), new Exporter(checkpoint, spec));
    }

    /// <summary>The metadata of the exported model of <paramref name="spec"/>.</summary>
    private static Dictionary<string, string> Metadata(CharModelCheckpoint spec) => new()
    {
        ["model"] = "char-lm", ["cell"] = CellKinds.Name(spec.Cell), ["hidden"] = spec.Hidden.ToString(CultureInfo.InvariantCulture),
        ["layers"] = spec.Layers.ToString(CultureInfo.InvariantCulture), ["vocabulary"] = JsonSerializer.Serialize(spec.Vocabulary.Symbols.Select(r => r.ToString())),
    };

    private sealed class Exporter(string checkpoint, CharModelCheckpoint spec) : ICellVisitor<byte[]>
    {
        public byte[] Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create)
        {
            var m = CharLanguageModel.LoadTrained(checkpoint, spec, create);
            if (spec.Zoneout > 0 || spec.Cell == CellKind.CoupledLstm) return TracedStep(CharLanguageModel.ForEvaluation(m, spec), spec);
            int v = spec.Vocabulary.Size;
            bool lstm = HasCellState(spec.Cell);
            var g = new OnnxGraph("char_lm");
            var ids = g.Input(Ids, OnnxType.Int64, "batch", "time");
            var h0 = g.Input(InitialH, OnnxType.Float, spec.Layers, "batch", spec.Hidden);
            var c0 = lstm ? g.Input(InitialC, OnnxType.Float, spec.Layers, "batch", spec.Hidden) : null;
            var oneHot = OneHot(g, ids, v);   // [batch, time, V]; the cells read time-major
            var timeMajor = g.Op("Transpose", [oneHot], OnnxAttribute.Ints("perm", 1, 0, 2));
            var layers = OnnxRecurrent.AddLayers(g, RecurrentLayers<TState, float>.Of(m.Rnn.Layers), timeMajor, null, h0, c0);
            var batchMajor = g.Op("Transpose", [layers.Outputs], OnnxAttribute.Ints("perm", 1, 0, 2));
            var logits = OnnxRecurrent.AddLinear(g, m.Head, batchMajor);
            g.Output(Logits, logits, OnnxType.Float, "batch", "time", v);
            g.Output(FinalH, layers.FinalH, OnnxType.Float, spec.Layers, "batch", spec.Hidden);
            if (lstm) g.Output(FinalC, layers.FinalC!, OnnxType.Float, spec.Layers, "batch", spec.Hidden);
            return OnnxModel.Write(g, Metadata(spec));
        }
    }

    /// <summary>
    /// One sampling step, <c>(c_t, state) → (logits, state')</c>, traced on a tape and converted op by op: the one-hot input
    /// as in the native graph, then the evaluation stack's <see cref="Stacked{TState, T}.Step"/> and the head, exactly what
    /// <see cref="CharLanguageModel.Sample"/> runs per character. Batch and time are 1.
    /// </summary>
    private static byte[] TracedStep<TState>(CharLanguageModel.Model<TState> model, CharModelCheckpoint spec)
    {
        int v = spec.Vocabulary.Size, hidden = spec.Hidden, layers = spec.Layers;
        bool lstm = HasCellState(spec.Cell);
        var tape = new Tape<float>();
        var g = new OnnxGraph("char_lm (traced step)");
        var trace = new OnnxTrace<float>(g, tape, $"char-lm ({CellKinds.Name(spec.Cell)})");
        var tracked = ParameterTree<float>.Map(model, tape.Track);
        foreach (var p in ParameterTree<float>.Flatten(tracked)) trace.Parameter(p.Value, p.Name);

        var ids = g.Input(Ids, OnnxType.Int64, 1, 1);
        var h0 = g.Input(InitialH, OnnxType.Float, layers, 1, hidden);
        var c0 = lstm ? g.Input(InitialC, OnnxType.Float, layers, 1, hidden) : null;
        var oneHot = OneHot(g, g.Op("Reshape", [ids, g.Int64s("one", 1)]), v);
        var x = tape.Track(Tensor.Zeros<float>(1, v));
        trace.Bind(x, oneHot);                                                   // x_t = onehot(c_t), [1, V]

        // Layer l's state leaves (h, then c for the LSTM kinds) read rows l of h0 and c0.
        var rowShape = g.Int64s("row_shape", 1, hidden);
        string Row(string stacked, int l) => g.Op("Reshape", [OnnxRecurrent.StateRow(g, stacked, l), rowShape]);
        var state = tracked.Rnn.InitialState(1).Select(s => ParameterTree<float>.Map(s, tape.Track)).ToArray();
        for (int l = 0; l < layers; l++)
        {
            var leaves = ParameterTree<float>.Leaves(state[l]!);
            trace.Bind(leaves[0], Row(h0, l));
            if (lstm) trace.Bind(leaves[1], Row(c0!, l));
        }
        var next = tracked.Rnn.Step(state, x);
        var logits = tracked.Head.Apply(tracked.Rnn.Output(next));             // z_t = h_t·W_y + b_y, [1, V]
        var finals = next.Select(s => ParameterTree<float>.Leaves(s!)).ToArray();
        trace.Convert([logits, .. finals.SelectMany(f => f)]);

        string Stack(int leaf) => g.Op("Concat", [.. finals.Select(f => g.Op("Unsqueeze", [trace.ValueOf(f[leaf]), g.Int64s("axis_0", 0)]))], OnnxAttribute.Int("axis", 0));
        g.Output(Logits, g.Op("Reshape", [trace.ValueOf(logits), g.Int64s("logits_shape", 1, 1, v)]), OnnxType.Float, 1, 1, v);
        g.Output(FinalH, Stack(0), OnnxType.Float, layers, 1, hidden);
        if (lstm) g.Output(FinalC, Stack(1), OnnxType.Float, layers, 1, hidden);
        var metadata = Metadata(spec);
        metadata["traced"] = "batch 1, time 1";
        return OnnxModel.Write(g, metadata);
    }

    /// <summary>x_t = onehot(c_t), as the model encodes characters: row c_t of the identity matrix (a <c>Gather</c>), for int64 <paramref name="ids"/> of any shape.</summary>
    private static string OneHot(OnnxGraph g, string ids, int v)
    {
        var identity = new float[v * v];
        for (int i = 0; i < v; i++) identity[i * v + i] = 1;
        return g.Named("onehot", "Gather", [g.Constant("identity", identity.AsSpan(), v, v), ids], OnnxAttribute.Int("axis", 0));
    }
}
