using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// The GRU as PyTorch's <c>nn.GRU</c>, cuDNN and Keras (<c>reset_after=True</c>) compute it: the reset gate
/// scales the recurrent product <em>after</em> the matrix multiply, and z_t weights the <em>old</em> state.
/// <code>
/// r_t = σ(W_r·[h_{t-1}, x_t] + b_r)
/// z_t = σ(W_z·[h_{t-1}, x_t] + b_z)
/// n_t = tanh(W_nx·x_t + b_nx + r_t * (W_nh·h_{t-1} + b_nh))
/// h_t = (1 − z_t) * n_t + z_t * h_{t-1}
/// </code>
/// Compared with the essay's <see cref="Gru{T}"/>: (1) r_t multiplies W_nh·h_{t-1} + b_nh instead of h_{t-1},
/// so the two are different functions, not different parameterisations (PyTorch issue #8153); (2) z_t
/// here plays the role of 1 − z_t there. W_r and W_z are <c>[H + D, H]</c> over <c>[h_{t-1}, x_t]</c>; W_nx is
/// <c>[D, H]</c>, W_nh <c>[H, H]</c>; the candidate's two biases cannot be merged because r_t sits between them.
/// </summary>
public sealed record GruResetAfter<T>(
    Tensor<T> Wr, Tensor<T> Br,
    Tensor<T> Wz, Tensor<T> Bz,
    Tensor<T> Wnx, Tensor<T> Bnx,
    Tensor<T> Wnh, Tensor<T> Bnh) : IGatedCell<RnnState<T>, GruGates<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public int OutputSize => Bz.Shape[0];

    /// <inheritdoc/>
    public int InputSize => Wnx.Shape[0];

    /// <summary>A new cell with seeded weights (default: PyTorch's U(±1/√H)).</summary>
    public static GruResetAfter<T> Create(int inputSize, int hiddenSize, long seed, CellInit? init = null)
    {
        CellChecks.Sizes("gru (reset after)", inputSize, hiddenSize);
        var (i, rng) = (init ?? new CellInit(), new Rng(seed));
        Tensor<T> Wt() => i.GateWeight<T>(rng, inputSize, hiddenSize);
        var (wr, br, wz, bz) = (Wt(), i.Bias<T>(rng, hiddenSize), Wt(), i.Bias<T>(rng, hiddenSize));
        return new GruResetAfter<T>(wr, br, wz, bz,
            i.Block<T>(rng, inputSize, hiddenSize, recurrent: false), i.Bias<T>(rng, hiddenSize),
            i.Block<T>(rng, hiddenSize, hiddenSize, recurrent: true), i.Bias<T>(rng, hiddenSize));
    }

    /// <inheritdoc/>
    public RnnState<T> InitialState(int batchSize)
    {
        CellChecks.Batch("gru (reset after)", batchSize);
        return new(Tensor.Zeros<T>(batchSize, OutputSize));
    }

    /// <summary>One step of PyTorch's equations, returning the new state and the gates (candidate = n_t).</summary>
    public (RnnState<T> State, GruGates<T> Gates) StepWithGates(RnnState<T> state, Tensor<T> input)
    {
        CellChecks.Step("gru (reset after)", this, state, input);
        var hx = Concat(state.H, input);                                                    // [h_{t-1}, x_t]
        var resetGate = Sigmoid(MatMul(hx, Wr) + Br);                                       // r_t = σ(W_r·[h_{t-1}, x_t] + b_r)
        var updateGate = Sigmoid(MatMul(hx, Wz) + Bz);                                      // z_t = σ(W_z·[h_{t-1}, x_t] + b_z)
        var candidate = Tanh(MatMul(input, Wnx) + Bnx + resetGate * (MatMul(state.H, Wnh) + Bnh)); // n_t = tanh(W_nx·x_t + b_nx + r_t*(W_nh·h_{t-1} + b_nh))
        var hidden = (T.One - updateGate) * candidate + updateGate * state.H;               // h_t = (1 − z_t)*n_t + z_t*h_{t-1}
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
