using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// Outputs of <see cref="RecurrentLayers{TState, T}.Unroll(Tensor{T})"/>: the top layer's outputs <c>[B, T, directions·H]</c>
/// (forward features first) and every layer's and direction's final state, in PyTorch's order: index
/// <c>layer·directions + direction</c> (direction 1 is the backward one), like the rows of <c>h_n</c>.
/// </summary>
public sealed record RecurrentLayersResult<TState, T>(Tensor<T> Outputs, TState[] Final) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// A multi-layer, optionally bidirectional recurrent network with an optional per-step head: the layout of PyTorch's
/// <c>nn.LSTM</c>/<c>nn.GRU</c>/<c>nn.RNN</c> with <c>num_layers</c> and <c>bidirectional</c>, followed by an <c>nn.Linear</c>.
/// Layer l reads the whole output sequence of layer l−1; when bidirectional, that is <em>both</em> directions of layer l−1
/// concatenated (forward features first), so every upper layer's input size is the sum of the two hidden sizes below.
/// </summary>
/// <remarks>
/// This is not <c>Bidirectional(Stacked, Stacked)</c>: there each direction runs through all its own layers and only the
/// top outputs are joined, so an upper backward layer never sees the forward direction. With one layer the two coincide.
/// <see cref="PyTorchModel"/> converts this type (and the compositions that match it) to and from a PyTorch state_dict.
/// The record is a parameter tree (<see cref="Backward"/> and <see cref="Head"/> may be null).
/// </remarks>
public sealed record RecurrentLayers<TState, T>(IRecurrentCell<TState, T>[] Forward, IRecurrentCell<TState, T>[]? Backward, Linear<T>? Head)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Checks and builds the network: <paramref name="forward"/> holds one cell per layer, <paramref name="backward"/> (null:
    /// unidirectional) one backward cell per layer, <paramref name="head"/> (optional) reads the top layer's joined outputs.
    /// Throws <see cref="ShapeMismatchException"/> naming the layer whose input size does not fit.
    /// </summary>
    public static RecurrentLayers<TState, T> Of(IRecurrentCell<TState, T>[] forward, IRecurrentCell<TState, T>[]? backward = null, Linear<T>? head = null)
    {
        ArgumentNullException.ThrowIfNull(forward);
        var net = new RecurrentLayers<TState, T>(forward, backward, head);
        net.Validate();
        return net;
    }

    /// <summary>Layers (PyTorch's <c>num_layers</c>).</summary>
    public int NumLayers => Forward?.Length ?? 0;

    /// <summary>Whether each layer also reads the sequence backwards (PyTorch's <c>bidirectional</c>).</summary>
    public bool Bidirectional => Backward is not null;

    /// <summary>1 or 2.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Features per input step (D).</summary>
    public int InputSize => Layer(0, 0).InputSize;

    /// <summary>Features per step of the top layer's joined outputs: the hidden sizes of its directions, summed.</summary>
    public int RecurrentOutputSize => LayerOutputSize(NumLayers - 1);

    /// <summary>Features per step of <see cref="Apply(Tensor{T})"/>: the head's outputs, or <see cref="RecurrentOutputSize"/> without a head.</summary>
    public int OutputSize => Head?.OutputSize ?? RecurrentOutputSize;

    private int LayerOutputSize(int layer) => Layer(layer, 0).OutputSize + (Bidirectional ? Layer(layer, 1).OutputSize : 0);

    /// <summary>Direction <paramref name="direction"/>'s cell of layer <paramref name="layer"/>, naming a missing one.</summary>
    private IRecurrentCell<TState, T> Layer(int layer, int direction)
    {
        CellChecks.Count("recurrent layers", "layers", NumLayers, nameof(Forward));
        var cells = direction == 0 ? Forward : Backward!;
        return cells[layer] ?? throw new ArgumentNullException(direction == 0 ? nameof(Forward) : nameof(Backward),
            $"recurrent layers: {(direction == 0 ? "forward" : "backward")} layer {layer} is null");
    }

    private void Validate()
    {
        CellChecks.Count("recurrent layers", "layers", NumLayers, nameof(Forward));
        if (Backward is not null && Backward.Length != Forward.Length)
            throw new ShapeMismatchException("recurrent layers", $"{Forward.Length} forward layers but {Backward.Length} backward layers");
        for (int l = 0; l < NumLayers; l++)
        {
            int expected = l == 0 ? InputSize : LayerOutputSize(l - 1);
            string source = l == 0 ? "layer 0 forward reads" : $"layer {l - 1} outputs{(Bidirectional ? " (both directions)" : "")}";
            for (int d = 0; d < Directions; d++)
                if (Layer(l, d).InputSize != expected)
                    throw new ShapeMismatchException("recurrent layers",
                        $"layer {l} {(d == 0 ? "forward" : "backward")} reads {Layer(l, d).InputSize} features but {source} {expected}");
        }
        if (Head is not null && Head.InputSize != RecurrentOutputSize)
            throw new ShapeMismatchException("recurrent layers", $"the head reads {Head.InputSize} features but the top layer outputs {RecurrentOutputSize}");
    }

    /// <summary>The zero initial states, one per layer and direction, in PyTorch's order (see <see cref="RecurrentLayersResult{TState, T}"/>).</summary>
    public TState[] InitialState(int batchSize) =>
        [.. Enumerable.Range(0, NumLayers * Directions).Select(i => Layer(i / Directions, i % Directions).InitialState(batchSize))];

    /// <summary>Unrolls every layer from zero states.</summary>
    public RecurrentLayersResult<TState, T> Unroll(Tensor<T> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank != 3) throw new ShapeMismatchException("recurrent layers", "inputs must be [batch, time, features]", inputs.Shape);
        return Run(inputs, null, InitialState(inputs.Shape[0]));
    }

    /// <summary>Unrolls every layer over padded sequences (<paramref name="mask"/> <c>[B, T]</c>, 1 = real step; outputs on padding are 0).</summary>
    public RecurrentLayersResult<TState, T> Unroll(Tensor<T> inputs, Tensor<T> mask)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(mask);
        if (inputs.Rank != 3) throw new ShapeMismatchException("recurrent layers", "inputs must be [batch, time, features]", inputs.Shape);
        return Run(inputs, mask, InitialState(inputs.Shape[0]));
    }

    /// <summary>
    /// Unrolls every layer from <paramref name="initialState"/>, one state per layer and direction in PyTorch's order
    /// (e.g. the rows of PyTorch's <c>h0</c>), over padded sequences when <paramref name="mask"/> is given. The argument
    /// order is <see cref="Sequence"/>'s: inputs, state, mask.
    /// </summary>
    public RecurrentLayersResult<TState, T> Unroll(Tensor<T> inputs, TState[] initialState, Tensor<T>? mask = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(initialState);
        if (inputs.Rank != 3) throw new ShapeMismatchException("recurrent layers", "inputs must be [batch, time, features]", inputs.Shape);
        if (initialState.Length != NumLayers * Directions)
            throw new ShapeMismatchException("recurrent layers", $"{initialState.Length} initial states given for {NumLayers} layers × {Directions} directions");
        return Run(inputs, mask, initialState);
    }

    /// <summary>The head applied to every step of the top layer's outputs <c>[B, T, OutputSize]</c> (the outputs themselves without a head).</summary>
    public Tensor<T> Apply(Tensor<T> inputs) => WithHead(Unroll(inputs).Outputs);

    /// <summary>As <see cref="Apply(Tensor{T})"/>, over padded sequences.</summary>
    public Tensor<T> Apply(Tensor<T> inputs, Tensor<T> mask) => WithHead(Unroll(inputs, mask).Outputs);

    private Tensor<T> WithHead(Tensor<T> outputs) => Head is null ? outputs : Head.Apply(outputs);

    private RecurrentLayersResult<TState, T> Run(Tensor<T> inputs, Tensor<T>? mask, TState[] initialState)
    {
        Validate();   // a record built with new or with may not fit together; name the layer rather than fail in a matmul
        int batch = inputs.Shape[0];
        // Reversed in time, trailing padding comes first and leaves the backward state as it started until the real steps begin.
        var reversedMask = mask is null || !Bidirectional ? null : Sequence.ReverseTime(Reshape(mask, batch, -1, 1)).Reshape(batch, -1);
        var finals = new TState[initialState.Length];
        var x = inputs;
        for (int l = 0; l < NumLayers; l++)
        {
            var forward = Sequence.UnrollLabelled(Forward[l], x, initialState[l * Directions], mask, $"RecurrentLayers[{l}].Forward: {Sequence.CellName(Forward[l])}");
            finals[l * Directions] = forward.Final;
            if (!Bidirectional) { x = forward.Outputs; continue; }
            var backward = Sequence.UnrollLabelled(Backward![l], Sequence.ReverseTime(x), initialState[l * Directions + 1], reversedMask,
                $"RecurrentLayers[{l}].Backward: {Sequence.CellName(Backward[l])}");
            finals[l * Directions + 1] = backward.Final;
            x = Concat(forward.Outputs, Sequence.ReverseTime(backward.Outputs));   // the next layer reads both directions
        }
        return new(x, finals);
    }
}

/// <summary>Builds <see cref="RecurrentLayers{TState, T}"/> of one cell kind, as PyTorch's modules are built.</summary>
public static class RecurrentLayers
{
    /// <summary>
    /// <paramref name="numLayers"/> layers of cells made by <paramref name="cell"/>(input size, hidden size, seed), each
    /// direction of each layer with its own seed drawn from <paramref name="seed"/>, and with <paramref name="headSize"/> &gt; 0
    /// a <see cref="Linear{T}"/> head of that many outputs. Layer l &gt; 0 reads directions·H features, as in PyTorch.
    /// </summary>
    public static RecurrentLayers<TState, T> Create<TState, T>(int inputSize, int hiddenSize, int numLayers, bool bidirectional,
        Func<int, int, long, IRecurrentCell<TState, T>> cell, long seed, int headSize = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        if (inputSize <= 0 || hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"recurrent layers: sizes {inputSize} → {hiddenSize} must be positive");
        CellChecks.Count("recurrent layers", "layers", numLayers, nameof(numLayers));
        if (headSize < 0) throw new ArgumentOutOfRangeException(nameof(headSize), $"recurrent layers: head size {headSize} must be ≥ 0 (0: no head)");
        int directions = bidirectional ? 2 : 1;
        IRecurrentCell<TState, T> Make(int layer, int direction) =>
            cell(layer == 0 ? inputSize : directions * hiddenSize, hiddenSize, seed + 2 * layer + direction);
        var forward = Enumerable.Range(0, numLayers).Select(l => Make(l, 0)).ToArray();
        var backward = bidirectional ? Enumerable.Range(0, numLayers).Select(l => Make(l, 1)).ToArray() : null;
        var head = headSize > 0 ? Linear<T>.Create(directions * hiddenSize, headSize, seed + 2 * numLayers) : null;
        return RecurrentLayers<TState, T>.Of(forward, backward, head);
    }
}
