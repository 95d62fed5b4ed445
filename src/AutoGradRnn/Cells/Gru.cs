using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>The activations of one GRU step, each <c>[B, H]</c>: update gate z_t, reset gate r_t, candidate h̃_t.</summary>
public sealed record GruGates<T>(Tensor<T> UpdateGate, Tensor<T> ResetGate, Tensor<T> Candidate) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// The gated recurrent unit in the essay's form (Cho et al. 2014): the reset gate scales h_{t-1}
/// <em>before</em> the candidate's matrix product, and z_t weights the new candidate.
/// <code>
/// z_t = σ(W_z·[h_{t-1}, x_t] + b_z)
/// r_t = σ(W_r·[h_{t-1}, x_t] + b_r)
/// h̃_t = tanh(W·[r_t * h_{t-1}, x_t] + b)
/// h_t = (1 − z_t) * h_{t-1} + z_t * h̃_t
/// </code>
/// PyTorch, cuDNN and Keras (<c>reset_after=True</c>) compute a different function: see
/// <see cref="GruResetAfter{T}"/>. Every W is <c>[H + D, H]</c> (rows for h_{t-1} first), every b <c>[H]</c>.
/// The essay leaves the biases out; they are here as in the paper.
/// </summary>
public sealed record Gru<T>(
    Tensor<T> Wz, Tensor<T> Bz,
    Tensor<T> Wr, Tensor<T> Br,
    Tensor<T> W, Tensor<T> B) : IGatedCell<RnnState<T>, GruGates<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public int OutputSize => Bz.Shape[0];

    /// <inheritdoc/>
    public int InputSize => Wz.Shape[0] - OutputSize;

    /// <summary>A new cell with seeded weights (default: PyTorch's U(±1/√H)).</summary>
    public static Gru<T> Create(int inputSize, int hiddenSize, long seed, CellInit? init = null)
    {
        CellChecks.Sizes("gru", inputSize, hiddenSize);
        var (i, rng) = (init ?? new CellInit(), new Rng(seed));
        Tensor<T> Wt() => i.GateWeight<T>(rng, inputSize, hiddenSize);
        return new Gru<T>(Wt(), i.Bias<T>(rng, hiddenSize), Wt(), i.Bias<T>(rng, hiddenSize), Wt(), i.Bias<T>(rng, hiddenSize));
    }

    /// <inheritdoc/>
    public RnnState<T> InitialState(int batchSize)
    {
        CellChecks.Batch("gru", batchSize);
        return new(Tensor.Zeros<T>(batchSize, OutputSize));
    }

    /// <summary>One step of the essay's equations, returning the new state and the gates.</summary>
    public (RnnState<T> State, GruGates<T> Gates) StepWithGates(RnnState<T> state, Tensor<T> input)
    {
        CellChecks.Step("gru", this, state, input);
        var hx = Concat(state.H, input);                                          // [h_{t-1}, x_t]
        var updateGate = Sigmoid(MatMul(hx, Wz) + Bz);                            // z_t = σ(W_z·[h_{t-1}, x_t] + b_z)
        var resetGate = Sigmoid(MatMul(hx, Wr) + Br);                             // r_t = σ(W_r·[h_{t-1}, x_t] + b_r)
        var candidate = Tanh(MatMul(Concat(resetGate * state.H, input), W) + B);  // h̃_t = tanh(W·[r_t*h_{t-1}, x_t] + b)
        var hidden = (T.One - updateGate) * state.H + updateGate * candidate;     // h_t = (1 − z_t)*h_{t-1} + z_t*h̃_t
        return (new(hidden), new(updateGate, resetGate, candidate));
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
