using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// The gate activations of one step of a <see cref="DepthGatedLstm{T}"/>: each layer's LSTM gates, and the depth gates
/// d_t of the layers above the first (<c>DepthGates[k]</c> belongs to layer k + 1; layer 0 has none).
/// </summary>
public sealed record DepthGatedLstmGates<T>(LstmGates<T>[] Layers, Tensor<T>[] DepthGates) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// A stacked depth-gated LSTM (Yao et al. 2015), itself a cell whose state is one <see cref="LstmState{T}"/> per layer.
/// Layer 0 (<see cref="Bottom"/>) is a plain <see cref="Lstm{T}"/> reading x_t; every layer above
/// (<see cref="Upper"/>) is a <see cref="DepthGatedLstmLayer{T}"/> reading the h_t of the layer below and adding its
/// memory cell C_t through the depth gate: C_t^{L+1} = d_t^{L+1} ⊙ C_t^L + f_t^{L+1} ⊙ C_{t-1}^{L+1} + i_t^{L+1} ⊙ C̃_t^{L+1}.
/// The depth gate gives the memory cells a gated linear path upwards, as the cell state already has one forwards in
/// time. All layers share one hidden size H (the depth gate adds cells elementwise).
/// </summary>
public sealed record DepthGatedLstm<T>(Lstm<T> Bottom, DepthGatedLstmLayer<T>[] Upper)
    : IGatedCell<LstmState<T>[], DepthGatedLstmGates<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Number of layers, the bottom one included.</summary>
    public int Layers => 1 + Upper.Length;

    /// <inheritdoc/>
    public int InputSize => Bottom.InputSize;

    /// <inheritdoc/>
    public int OutputSize => Bottom.OutputSize;

    /// <summary>A new network of <paramref name="layers"/> ≥ 1 layers of <paramref name="hiddenSize"/> cells (each layer seeded from <paramref name="seed"/>).</summary>
    public static DepthGatedLstm<T> Create(int inputSize, int hiddenSize, int layers, long seed, CellInit? init = null)
    {
        CellChecks.Count("depth-gated lstm", "layers", layers, nameof(layers));
        CellChecks.Sizes("depth-gated lstm", inputSize, hiddenSize);
        return Of(Lstm<T>.Create(inputSize, hiddenSize, seed, init),
            [.. Enumerable.Range(1, layers - 1).Select(l => DepthGatedLstmLayer<T>.Create(hiddenSize, hiddenSize, seed + 7919L * l, init))]);
    }

    /// <summary>Assembles a network, checking that every upper layer reads and keeps the bottom layer's hidden size.</summary>
    public static DepthGatedLstm<T> Of(Lstm<T> bottom, params DepthGatedLstmLayer<T>[] upper)
    {
        ArgumentNullException.ThrowIfNull(bottom);
        ArgumentNullException.ThrowIfNull(upper);
        for (int l = 0; l < upper.Length; l++)
            if (upper[l] is null) throw new ArgumentNullException(nameof(upper), $"depth-gated lstm: layer {l + 1} is null");
        for (int l = 0; l < upper.Length; l++)
            if (upper[l].OutputSize != bottom.OutputSize || upper[l].InputSize != bottom.OutputSize)
                throw new ShapeMismatchException("depth-gated lstm",
                    $"layer {l + 1} has input {upper[l].InputSize} and hidden {upper[l].OutputSize}, but every layer above the first must read and keep H = {bottom.OutputSize}",
                    upper[l].Wf.Shape, bottom.Wf.Shape);
        return new(bottom, upper);
    }

    /// <inheritdoc/>
    public LstmState<T>[] InitialState(int batchSize) => [Bottom.InitialState(batchSize), .. Upper.Select(_ => Bottom.InitialState(batchSize))];

    /// <summary>One time step through every layer, bottom to top, returning the new states and every gate.</summary>
    public (LstmState<T>[] State, DepthGatedLstmGates<T> Gates) StepWithGates(LstmState<T>[] state, Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(state);
        CellChecks.Input("depth-gated lstm", input, InputSize);
        CellChecks.Layers("depth-gated lstm step", state.Length, Layers, input.Shape);
        CellChecks.Step("depth-gated lstm", this, state, input);
        var next = new LstmState<T>[Layers];
        var gates = new LstmGates<T>[Layers];
        var depthGates = new Tensor<T>[Upper.Length];
        (next[0], gates[0]) = Bottom.StepWithGates(state[0], input);                     // layer 0: the plain LSTM
        for (int l = 1; l < Layers; l++)
            (next[l], gates[l], depthGates[l - 1]) = Upper[l - 1].StepWithGates(state[l], next[l - 1].H, next[l - 1].C);   // x_t^{L+1} = h_t^L, with C_t^L
        return (next, new(gates, depthGates));
    }

    /// <inheritdoc/>
    public LstmState<T>[] Step(LstmState<T>[] state, Tensor<T> input) => StepWithGates(state, input).State;

    /// <summary>The top layer's h_t.</summary>
    public Tensor<T> Output(LstmState<T>[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        CellChecks.Layers("depth-gated lstm output", state.Length, Layers);
        return state[^1].H;
    }
}
