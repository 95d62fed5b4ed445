namespace AutoGradRnn.Applications;

/// <summary>
/// The trained part the forecaster and the classifier share: recurrent layers read a window <c>[B, T, D]</c> (padded
/// steps masked) and a head reads the top layer's output at the final state, <c>head(h_T)</c>, as the applications
/// evaluate it (no dropout; zoneout's expectation). The state type is hidden so a trained model can be kept in a report.
/// </summary>
internal abstract class FinalStateNetwork
{
    /// <summary>The head reading the top layer's final h.</summary>
    public abstract Linear<float> Head { get; }

    /// <summary>The top layer's output at the final state, <c>[B, H]</c>: after each sequence's last real step when masked.</summary>
    public abstract Tensor<float> Final(Tensor<float> inputs, Tensor<float>? mask = null);

    /// <summary><c>head(Final(inputs, mask))</c>, <c>[B, head outputs]</c>.</summary>
    public Tensor<float> Apply(Tensor<float> inputs, Tensor<float>? mask = null) => Head.Apply(Final(inputs, mask));

    /// <summary>
    /// Adds the layers to <paramref name="graph"/> reading <paramref name="timeMajor"/> <c>[T, B, D]</c> (and the int32
    /// lengths <paramref name="sequenceLens"/> if given) and returns the top layer's final h <c>[B, H]</c>. Throws
    /// <see cref="OnnxExportException"/> for what ONNX's recurrent ops cannot compute (zoneout, cells without an op).
    /// </summary>
    public abstract string AddFinal(OnnxGraph graph, string timeMajor, string? sequenceLens);

    /// <summary>The cells' name for messages and metadata.</summary>
    public abstract string CellName { get; }

    /// <summary>Layers of cells.</summary>
    public abstract int Layers { get; }

    /// <summary>
    /// Throws the <see cref="OnnxExportException"/> that exporting a model of <paramref name="cell"/> trained with
    /// <paramref name="regularisation"/> would throw, before any training: a one-unit network of that kind is added to a scratch graph.
    /// </summary>
    public static void CheckExportable(string command, CellKind cell, RecurrentRegularisation regularisation) =>
        CellKinds.Visit(cell, new CellInit(), new Probe(regularisation, command)).AddFinal(new OnnxGraph("check"), "x", null);

    /// <summary>The command-line names of the kinds ONNX has operators for (asked of the exporter itself).</summary>
    protected static readonly Lazy<string[]> NativeKinds = new(() => [.. Enum.GetValues<CellKind>().Where(kind =>
    {
        try { CellKinds.Visit(kind, new CellInit(), new Probe(RecurrentRegularisation.None, "check")).AddLayersOnly(); return true; }
        catch (OnnxExportException) { return false; }
    }).Select(CellKinds.Name)]);

    /// <summary>Adds the layers alone to a scratch graph (no zoneout check, no message rewriting).</summary>
    private protected abstract void AddLayersOnly();

    private sealed class Probe(RecurrentRegularisation regularisation, string command) : ICellVisitor<FinalStateNetwork>
    {
        public FinalStateNetwork Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create) =>
            new FinalStateNetwork<TState>([create(1, 1, 0)], Linear<float>.Create(1, 1, 0), regularisation, command);
    }
}

/// <summary><see cref="FinalStateNetwork"/> of cells whose state is <typeparamref name="TState"/>.</summary>
internal sealed class FinalStateNetwork<TState>(IRecurrentCell<TState, float>[] layers, Linear<float> head, RecurrentRegularisation regularisation, string option)
    : FinalStateNetwork
{
    public override Linear<float> Head => head;

    public override string CellName => Sequence.CellName(layers[0]);

    public override int Layers => layers.Length;

    public override Tensor<float> Final(Tensor<float> inputs, Tensor<float>? mask = null) =>
        layers.Length == 1 ? Top(layers[0], inputs, mask) : Top(Stacked<TState, float>.Of(layers), inputs, mask);

    // The applications' evaluation: UnrollCell without a generator (zoneout's expectation, no dropout), then the cell's output.
    private Tensor<float> Top<TS>(IRecurrentCell<TS, float> cell, Tensor<float> inputs, Tensor<float>? mask) =>
        cell.Output(regularisation.UnrollCell(cell, inputs, cell.InitialState(inputs.Shape[0]), null, mask).Final);

    private protected override void AddLayersOnly() => OnnxRecurrent.AddLayers(new OnnxGraph("check"), RecurrentLayers<TState, float>.Of(layers), "x", null, null, null);

    public override string AddFinal(OnnxGraph graph, string timeMajor, string? sequenceLens)
    {
        // Zoneout evaluates as s_t = p·s_{t−1} + (1 − p)·cell(s_{t−1}, x_t): no ONNX recurrent op computes that blend.
        if (regularisation.Zoneout > 0)
            throw new OnnxExportException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{option}: --zoneout {regularisation.Zoneout} cannot be exported to ONNX (its evaluation blends each state with the previous one, which no ONNX recurrent op computes); train with --zoneout 0 to export"));
        var net = RecurrentLayers<TState, float>.Of(layers);
        OnnxLayers result;
        try
        {
            result = OnnxRecurrent.AddLayers(graph, net, timeMajor, sequenceLens, null, null);
        }
        catch (OnnxExportException)
        {
            // The exporter's own message points at the traced export, which exports a network, not a whole application model.
            throw new OnnxExportException($"{option}: the {CellName} cell has no ONNX operator, so the model cannot be exported to ONNX; train with --cell {string.Join(", ", NativeKinds.Value)} to export");
        }
        return graph.Named("final_h", "Gather", [result.FinalH, graph.Int64s("top_layer", [layers.Length - 1], [])], OnnxAttribute.Int("axis", 0));
    }
}
