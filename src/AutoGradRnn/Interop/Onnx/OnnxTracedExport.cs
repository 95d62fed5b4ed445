using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// ONNX export by tracing: the model's own equations run once on a <see cref="Tape{T}"/> with its parameters and inputs
/// tracked (the per-equation steps of every cell, never a fused kernel), and every recorded op becomes ONNX nodes by one
/// rule per op, as torch.onnx's tracer or jax2onnx do. Any cell built from the library's primitive ops exports this way,
/// including those ONNX has no operator for (coupled, layer-normalised, projection, full-peephole, depth-gated, grid and
/// clockwork LSTMs/RNNs, zoneout's evaluation cell), and an attention sequence-to-sequence model.
/// </summary>
/// <remarks>
/// The graph is unrolled for the traced sizes: batch and length are fixed dimensions of every input and output, each time
/// step is its own copy of the cell's nodes (so the file grows with the length), and anything the trace decided in C#
/// (a clockwork's module schedule from the initial clock 0, which parts of a state are tensors) is frozen into it. The
/// weights are initializers named by their parameter paths (e.g. <c>Layers[0].Wf</c>), written as float32. An op without
/// an ONNX rule (a custom op, a checkpointed unroll, a loss) throws <see cref="OnnxExportException"/> naming the op.
/// </remarks>
public static class OnnxTracedExport
{
    /// <summary>
    /// The unroll of <paramref name="cell"/> over <paramref name="batch"/> sequences of <paramref name="time"/> steps
    /// (<see cref="Sequence.UnrollComposed{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/>, the same function
    /// as <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/>) as an ONNX model.
    /// Inputs: <c>input</c> float <c>[batch, time, D]</c>; with <see cref="OnnxExportOptions.SequenceLengths"/>, <c>mask</c>
    /// float <c>[batch, time]</c> (1 = real step, 0 = padding: a padded step keeps the state and outputs 0, as our masked
    /// unroll); with <see cref="OnnxExportOptions.InitialState"/>, one input <c>state.&lt;path&gt;</c> per tensor leaf of the
    /// state, named by its <see cref="ParameterTree{T}.Flatten"/> path (<c>state.H</c>, <c>state.C</c>; a stack's
    /// <c>state[0].H</c>…), else the zero state. Outputs: <c>output</c> <c>[batch, time, H]</c> and one
    /// <c>final.&lt;path&gt;</c> per leaf of the final state (<c>final.H</c>, <c>final.C</c>…).
    /// </summary>
    /// <exception cref="OnnxExportException">The cell's step uses an op that has no ONNX rule (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> or <paramref name="time"/> is not positive.</exception>
    public static byte[] Unroll<TState, T>(IRecurrentCell<TState, T> cell, int batch, int time, OnnxExportOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        CheckSizes(batch, time);
        options ??= new OnnxExportOptions();
        var s = new Session<T>(Sequence.CellName(cell));
        var tracked = s.Parameters(cell, "");
        var x = s.Input("input", batch, time, cell.InputSize);
        var mask = options.SequenceLengths ? s.Input("mask", batch, time) : null;
        var initial = s.State(cell.InitialState(batch), "state", options.InitialState);
        var r = mask is null ? Sequence.UnrollComposed(tracked, x, initial) : Sequence.UnrollComposed(tracked, x, initial, mask);
        return s.Write([("output", r.Outputs), .. s.Leaves(r.Final!, "final")], options);
    }

    /// <summary>
    /// A bidirectional unroll (<see cref="Bidirectional{TState, T}.Unroll(Tensor{T}, TState, TState, Tensor{T})"/>) as an ONNX
    /// model, both directions running their cells' own steps. Inputs: <c>input</c> <c>[batch, time, D]</c>, optional
    /// <c>mask</c> <c>[batch, time]</c> (the backward direction starts at each sequence's last real step, as ours), optional
    /// <c>state.forward.&lt;path&gt;</c> and <c>state.backward.&lt;path&gt;</c>. Outputs: <c>output</c>
    /// <c>[batch, time, H_fwd + H_bwd]</c>, <c>final.forward.&lt;path&gt;</c> and <c>final.backward.&lt;path&gt;</c>.
    /// </summary>
    /// <exception cref="OnnxExportException">A direction's step uses an op that has no ONNX rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> or <paramref name="time"/> is not positive.</exception>
    public static byte[] Bidirectional<TState, T>(Bidirectional<TState, T> encoder, int batch, int time, OnnxExportOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(encoder);
        CheckSizes(batch, time);
        options ??= new OnnxExportOptions();
        var s = new Session<T>($"Bidirectional({Sequence.CellName(encoder.Forward)}, {Sequence.CellName(encoder.Backward)})");
        var tracked = s.Parameters(encoder, "").WithComposedCells();
        var x = s.Input("input", batch, time, encoder.InputSize);
        var mask = options.SequenceLengths ? s.Input("mask", batch, time) : null;
        var forward = s.State(encoder.Forward.InitialState(batch), "state.forward", options.InitialState);
        var backward = s.State(encoder.Backward.InitialState(batch), "state.backward", options.InitialState);
        var r = tracked.Unroll(x, forward, backward, mask);
        return s.Write([("output", r.Outputs), .. s.Leaves(r.ForwardFinal!, "final.forward"), .. s.Leaves(r.BackwardFinal!, "final.backward")], options);
    }

    /// <summary>
    /// The teacher-forced prediction of an attention sequence-to-sequence model (<see cref="AttentionSeq2Seq{TDecoderState, T}.Forward"/>:
    /// encode the source, then one <see cref="AttentionSeq2Seq{TDecoderState, T}.DecoderStep"/> per target step reading the
    /// previous true symbol, the start symbol first) as an ONNX model. Inputs: <c>source</c> int64 <c>[batch, sourceSteps]</c>
    /// (source symbols), <c>target</c> int64 <c>[batch, targetSteps]</c> (the target symbols; step t reads symbol t − 1, step 0
    /// the start symbol) and, with <see cref="OnnxExportOptions.SequenceLengths"/>, <c>source_mask</c> float
    /// <c>[batch, sourceSteps]</c> (1 = real source step; padded steps get zero attention). Outputs: <c>logits</c>
    /// <c>[batch, targetSteps, V]</c> and <c>attention</c> <c>[batch, targetSteps, sourceSteps]</c> (α per target step). The
    /// decoder starts from its zero state, as in <c>Forward</c>.
    /// </summary>
    /// <exception cref="OnnxExportException">A part uses an op with no ONNX rule, or <see cref="OnnxExportOptions.InitialState"/> is asked for.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static byte[] Seq2Seq<TDecoderState, T>(AttentionSeq2Seq<TDecoderState, T> model, int batch, int sourceSteps, int targetSteps, OnnxExportOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckSizes(batch, sourceSteps);
        if (targetSteps <= 0) throw new ArgumentOutOfRangeException(nameof(targetSteps), $"onnx traced export: {targetSteps} target steps; at least 1 is needed");
        options ??= new OnnxExportOptions();
        if (options.InitialState)
            throw new OnnxExportException("attention seq2seq: the decoder starts from its zero state (s_0 = 0), so there is no initial state to take; export without InitialState");
        var symbolInputs = new Dictionary<int[], Func<string>>(ReferenceEqualityComparer.Instance);
        var s = new Session<T>("AttentionSeq2Seq", (_, indices) => symbolInputs.TryGetValue(indices, out var name) ? name() : null);
        var m = s.Parameters(model, "");
        var encoder = m.Encoder is IComposableEncoder<T> composable ? composable.WithComposedCells() : m.Encoder;
        var g = s.Graph;
        var source = g.Input("source", OnnxType.Int64, batch, sourceSteps);
        var target = g.Input("target", OnnxType.Int64, batch, targetSteps);
        var mask = options.SequenceLengths ? s.Input("source_mask", batch, sourceSteps) : null;
        var sourceSymbols = new int[batch * sourceSteps];
        symbolInputs[sourceSymbols] = () => g.Op("Reshape", [source, g.Int64s("shape", (long)sourceSymbols.Length)]);
        var embedded = m.SourceEmbedding.Apply(sourceSymbols, batch, sourceSteps);                                 // E_src[x]
        var values = encoder.Encode(embedded, mask ?? Tensor.Ones<T>(batch, sourceSteps));                          // h_1..h_{T_x}
        var memory = m.Attention.Remember(values, mask);
        var state = m.Decoder.InitialState(batch);
        var (logits, weights) = (new Tensor<T>[targetSteps], new Tensor<T>[targetSteps]);
        var previous = Enumerable.Repeat(m.StartSymbol, batch).ToArray();                                           // y_0: the start symbol, a constant
        for (int t = 0; t < targetSteps; t++)
        {
            (state, logits[t], weights[t]) = m.DecoderStep(state, previous, memory);
            previous = new int[batch];                                                                                // y_t = target[:, t], read from the input
            int column = t;
            symbolInputs[previous] = () => g.Op("Gather", [target, g.Int64s("column", [column], [])], OnnxAttribute.Int("axis", 1));
        }
        return s.Write([("logits", Ops.Stack(logits, 1)), ("attention", Ops.Stack(weights, 1))], options);
    }

    private static void CheckSizes(int batch, int time)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), $"onnx traced export: batch {batch} must be positive");
        if (time <= 0) throw new ArgumentOutOfRangeException(nameof(time), $"onnx traced export: {time} time steps; at least 1 is needed");
    }

    /// <summary>One trace: the tape, the graph and the conversion, with the naming of inputs, parameters and outputs.</summary>
    private sealed class Session<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Tape<T> tape = new();
        private readonly OnnxTrace<T> trace;

        public Session(string subject, Func<RecordedOp<T>, int[], string?>? gatherIndices = null)
        {
            Graph = new OnnxGraph($"{subject} (traced)");
            trace = new OnnxTrace<T>(Graph, tape, subject) { GatherIndices = gatherIndices };
        }

        public OnnxGraph Graph { get; }

        /// <summary>The tree with every tensor leaf tracked, each an initializer named by its path.</summary>
        public TTree Parameters<TTree>(TTree tree, string prefix) where TTree : notnull => Track(tree, (leaf, path) => trace.Parameter(leaf, Join(prefix, path)));

        /// <summary>A float graph input of the given dims and the tracked leaf that reads it (traced at 1s: a mask of real steps everywhere).</summary>
        public Tensor<T> Input(string name, params int[] dims)
        {
            var leaf = tape.Track(Tensor.Ones<T>(dims));
            trace.Bind(leaf, Graph.Input(name, OnnxType.Float, [.. dims.Cast<object>()]));
            return leaf;
        }

        /// <summary>The initial state: its leaves as graph inputs <c>prefix.path</c> when <paramref name="asInputs"/>, else the constant state as it is.</summary>
        public TState State<TState>(TState state, string prefix, bool asInputs) =>
            !asInputs ? state : Track(state!, (leaf, path) => trace.Bind(leaf, Graph.Input(Join(prefix, path), OnnxType.Float, [.. leaf.Shape.Select(d => (object)d)])));

        /// <summary>Every tensor leaf of <paramref name="tree"/> as an output named <c>prefix.path</c>.</summary>
        public IEnumerable<(string Name, Tensor<T> Value)> Leaves(object tree, string prefix) =>
            ParameterTree<T>.Flatten(tree).Select(n => (Join(prefix, n.Name), n.Value));

        /// <summary>Converts what the outputs depend on, declares the outputs and writes the model.</summary>
        public byte[] Write(IReadOnlyList<(string Name, Tensor<T> Value)> outputs, OnnxExportOptions options)
        {
            trace.Convert(outputs.Select(o => o.Value));
            foreach (var (name, value) in outputs)
                Graph.Output(name, trace.ValueOf(value), OnnxType.Float, [.. value.Shape.Select(d => (object)d)]);
            return OnnxModel.Write(Graph, options.Metadata);
        }

        private TTree Track<TTree>(TTree tree, Action<Tensor<T>, string> named)
        {
            var paths = ParameterTree<T>.Flatten(tree!);
            int i = 0;
            return ParameterTree<T>.Map(tree, leaf =>
            {
                var tracked = tape.Track(leaf);
                named(tracked, paths[i++].Name);
                return tracked;
            });
        }

        private static string Join(string prefix, string path) =>
            prefix.Length == 0 ? path : path.Length == 0 ? prefix : path.StartsWith('[') ? prefix + path : $"{prefix}.{path}";
    }
}
