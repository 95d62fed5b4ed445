using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>The state of a vanilla RNN: its hidden vector h_t <c>[B, H]</c>.</summary>
public sealed record RnnState<T>(Tensor<T> H) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// The essay's "single tanh layer" recurrent network (Elman 1990): h_t = tanh(W·[h_{t-1}, x_t] + b).
/// W is <c>[H + D, H]</c> (rows for h_{t-1} first, then x_t); b is <c>[H]</c>.
/// </summary>
public sealed record Rnn<T>(Tensor<T> W, Tensor<T> B) : IGatedCell<RnnState<T>, Tensor<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public int OutputSize => B.Shape[0];

    /// <inheritdoc/>
    public int InputSize => W.Shape[0] - OutputSize;

    /// <summary>A new cell with seeded weights (default: PyTorch's U(±1/√H)).</summary>
    public static Rnn<T> Create(int inputSize, int hiddenSize, long seed, CellInit? init = null)
    {
        CellChecks.Sizes("rnn", inputSize, hiddenSize);
        var (i, rng) = (init ?? new CellInit(), new Rng(seed));
        return new Rnn<T>(i.GateWeight<T>(rng, inputSize, hiddenSize), i.Bias<T>(rng, hiddenSize));
    }

    /// <inheritdoc/>
    public RnnState<T> InitialState(int batchSize)
    {
        CellChecks.Batch("rnn", batchSize);
        return new(Tensor.Zeros<T>(batchSize, OutputSize));
    }

    /// <summary>h_t = tanh(W·[h_{t-1}, x_t] + b). The "gates" are the pre-activation-free output itself.</summary>
    public (RnnState<T> State, Tensor<T> Gates) StepWithGates(RnnState<T> state, Tensor<T> input)
    {
        CellChecks.Step("rnn", this, state, input);
        var hx = Concat(state.H, input);              // [h_{t-1}, x_t]
        var hidden = Tanh(MatMul(hx, W) + B);         // h_t = tanh(W·[h_{t-1}, x_t] + b)
        return (new(hidden), hidden);
    }

    /// <inheritdoc/>
    public RnnState<T> Step(RnnState<T> state, Tensor<T> input) => StepWithGates(state, input).State;

    /// <inheritdoc/>
    public Tensor<T> Output(RnnState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.H;
    }
}
