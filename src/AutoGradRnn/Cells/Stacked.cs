using System.Numerics;

namespace AutoGradRnn;

/// <summary>A cell made of layers that <see cref="Sequence"/> unrolls one whole layer at a time (so each layer can run its fused kernel).</summary>
internal interface ILayeredCell<TState, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The unroll, layer after layer, or null when the arguments do not fit (the per-step path then names the problem).</summary>
    SequenceResult<TState, T>? UnrollLayers(Tensor<T> inputs, TState initialState, Tensor<T>? mask);

    /// <summary>The path each layer's unroll would take, or null when the arguments do not fit.</summary>
    IReadOnlyList<UnrollPath>? LayerPaths(Tensor<T> inputs, TState initialState, Tensor<T>? mask);
}

/// <summary>
/// Cells stacked into layers: layer l reads layer l−1's output h_t at the same time step. The state is
/// one state per layer. Itself a cell, so it unrolls, masks and differentiates like any other.
/// </summary>
/// <remarks>
/// <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/> runs a stack layer by layer:
/// layer l over the whole sequence of layer l−1's outputs, through layer l's fused kernel where it has one. That is
/// the same function as stepping the whole stack at every time step (each layer's state at step t depends only on
/// its own state at t−1 and the layer below at t); with a mask, a padded step leaves every layer's state unchanged
/// and outputs zeros, whose value the next layer ignores because its own step is masked too.
/// </remarks>
public sealed record Stacked<TState, T>(IRecurrentCell<TState, T>[] Layers) : IRecurrentCell<TState[], T>, ILayeredCell<TState[], T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Stacks <paramref name="layers"/>, checking that each layer's input size is the previous layer's hidden size.</summary>
    public static Stacked<TState, T> Of(params IRecurrentCell<TState, T>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        CellChecks.Count("stacked", "layers", layers.Length, nameof(layers));
        for (int l = 0; l < layers.Length; l++)
            if (layers[l] is null) throw new ArgumentNullException(nameof(layers), $"stacked: layer {l} is null");
        for (int l = 1; l < layers.Length; l++)
            if (layers[l].InputSize != layers[l - 1].OutputSize)
                throw new ShapeMismatchException("stacked", $"layer {l} reads {layers[l].InputSize} features but layer {l - 1} outputs {layers[l - 1].OutputSize}");
        return new Stacked<TState, T>(layers);
    }

    /// <inheritdoc/>
    public int InputSize => Layer(0).InputSize;

    /// <inheritdoc/>
    public int OutputSize => Layer(Layers?.Length - 1 ?? 0).OutputSize;

    // A stack built with `new` or `with` rather than Of may be empty or hold nulls: name that rather than fail on an index.
    private IRecurrentCell<TState, T> Layer(int l)
    {
        CellChecks.Count("stacked", "layers", Layers?.Length ?? 0, nameof(Layers));
        return Layers![l] ?? throw new ArgumentNullException(nameof(Layers), $"stacked: layer {l} is null");
    }

    /// <inheritdoc/>
    public TState[] InitialState(int batchSize) => Layers.Select(l => l.InitialState(batchSize)).ToArray();

    /// <inheritdoc/>
    public TState[] Step(TState[] state, Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(state);
        CellChecks.Input("stacked", input, InputSize);
        CellChecks.Layers("stacked step", state.Length, Layers.Length, input.Shape);
        CellChecks.Step("stacked", this, state, input);
        var next = new TState[Layers.Length];
        var x = input;
        for (int l = 0; l < Layers.Length; l++)
        {
            next[l] = Layers[l].Step(state[l], x);
            x = Layers[l].Output(next[l]);
        }
        return next;
    }

    /// <inheritdoc/>
    public Tensor<T> Output(TState[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        CellChecks.Layers("stacked output", state.Length, Layers.Length);
        return Layers[^1].Output(state[^1]);
    }

    /// <summary>Whether a layer-by-layer unroll fits these arguments (else the per-step path reports what is wrong).</summary>
    private bool Fits(Tensor<T> inputs, TState[] initialState, Tensor<T>? mask) =>
        Layers is { Length: > 0 } && Layers.All(l => l is not null) && initialState is not null && initialState.Length == Layers.Length &&
        inputs is { Rank: 3 } && inputs.Shape[2] == InputSize && inputs.Shape[0] > 0 && inputs.Shape[1] > 0 &&
        (mask is null || mask.Shape == new Shape(inputs.Shape[0], inputs.Shape[1])) &&
        Enumerable.Range(1, Layers.Length - 1).All(l => Layers[l].InputSize == Layers[l - 1].OutputSize);

    /// <summary>
    /// Unrolls the stack layer by layer with dropout between layers, as PyTorch's <c>nn.LSTM(dropout=p)</c>: layer l + 1
    /// reads <c>Dropout(h^l_t, m^l_t)</c> (<see cref="Ops.Dropout{T}(Tensor{T}, Tensor{T})"/>) for every layer l but the last,
    /// whose outputs are returned as they are. <paramref name="dropoutMasks"/> holds one mask per gap between layers
    /// (<c>Layers.Length − 1</c> of them, each <c>[B, T, H_l]</c> or broadcasting to it; a null entry means no dropout there),
    /// drawn by <see cref="DropoutMasks.BetweenLayers{TState, T}(Stacked{TState, T}, int, int, double, Rng)"/> for training;
    /// evaluation is the plain <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/>. Each
    /// layer still runs its fused kernel where it has one: the dropout acts on a layer's whole output sequence between two
    /// layer unrolls. With all masks 1 this is exactly the plain unroll.
    /// </summary>
    /// <param name="inputs"><c>[B, T, D]</c>.</param>
    /// <param name="initialState">One state per layer.</param>
    /// <param name="dropoutMasks">The masks between layers, in order.</param>
    /// <param name="mask">Optional <c>[B, T]</c> padding mask, as in <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState, Tensor{T})"/>.</param>
    public SequenceResult<TState[], T> UnrollWithDropout(Tensor<T> inputs, TState[] initialState, Tensor<T>?[] dropoutMasks, Tensor<T>? mask = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(initialState);
        ArgumentNullException.ThrowIfNull(dropoutMasks);
        _ = Layer(0);   // names an empty stack
        CellChecks.Layers("stacked unroll", initialState.Length, Layers.Length, inputs.Shape);
        if (dropoutMasks.Length != Layers.Length - 1)
            throw new ArgumentException($"stacked unroll: {dropoutMasks.Length} dropout masks given for {Layers.Length} layers (one per gap between layers: {Layers.Length - 1})", nameof(dropoutMasks));
        var finals = new TState[Layers.Length];
        var x = inputs;
        for (int l = 0; l < Layers.Length; l++)
        {
            var layer = Layer(l);
            var r = Sequence.UnrollLabelled(layer, x, initialState[l], mask, $"Stacked[{l}]: {Sequence.CellName(layer)}");
            finals[l] = r.Final;
            x = l < Layers.Length - 1 && dropoutMasks[l] is { } m ? Ops.Dropout(r.Outputs, m) : r.Outputs;
        }
        return new SequenceResult<TState[], T>(x, finals);
    }

    SequenceResult<TState[], T>? ILayeredCell<TState[], T>.UnrollLayers(Tensor<T> inputs, TState[] initialState, Tensor<T>? mask)
    {
        if (!Fits(inputs, initialState, mask)) return null;
        // The same check, and so the same exception, as a step of the whole stack (a layer's own check would name only its leaf).
        CellChecks.State<T>("stacked", initialState, InitialState(inputs.Shape[0]), new Shape(inputs.Shape[0], inputs.Shape[2]));
        var finals = new TState[Layers.Length];
        var x = inputs;
        for (int l = 0; l < Layers.Length; l++)
        {
            var r = Sequence.UnrollLabelled(Layers[l], x, initialState[l], mask, $"Stacked[{l}]: {Sequence.CellName(Layers[l])}");
            finals[l] = r.Final;
            x = r.Outputs;
        }
        return new SequenceResult<TState[], T>(x, finals);
    }

    IReadOnlyList<UnrollPath>? ILayeredCell<TState[], T>.LayerPaths(Tensor<T> inputs, TState[] initialState, Tensor<T>? mask)
    {
        if (!Fits(inputs, initialState, mask)) return null;
        var paths = new List<UnrollPath>();
        int batch = inputs.Shape[0], steps = inputs.Shape[1];
        for (int l = 0; l < Layers.Length; l++)
        {
            // Each layer sees [B, T, input size of the layer]; only the shape matters for the choice.
            var x = l == 0 ? inputs : Tensor.Zeros<T>(batch, steps, Layers[l].InputSize);
            foreach (var p in Sequence.Paths(Layers[l], x, initialState[l], mask))
                paths.Add(p with { Cell = $"Stacked[{l}]: {p.Cell}" });
        }
        return paths;
    }
}
