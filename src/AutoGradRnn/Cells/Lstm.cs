using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>The state of an LSTM: the hidden output h_t and the cell state C_t (the "conveyor belt"), each <c>[B, H]</c>.</summary>
public sealed record LstmState<T>(Tensor<T> H, Tensor<T> C) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>The activations of one LSTM step, each <c>[B, H]</c>: forget gate f_t, input gate i_t, candidate C̃_t, output gate o_t.</summary>
public sealed record LstmGates<T>(Tensor<T> ForgetGate, Tensor<T> InputGate, Tensor<T> Candidate, Tensor<T> OutputGate)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// The LSTM exactly as the essay draws it (Hochreiter &amp; Schmidhuber 1997, with the forget gate of
/// Gers et al. 2000). Every W is <c>[H + D, H]</c> acting on <c>[h_{t-1}, x_t]</c> (rows for h_{t-1} first);
/// every b is <c>[H]</c>.
/// <code>
/// f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
/// i_t = σ(W_i·[h_{t-1}, x_t] + b_i)
/// C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
/// C_t = f_t * C_{t-1} + i_t * C̃_t
/// o_t = σ(W_o·[h_{t-1}, x_t] + b_o)
/// h_t = o_t * tanh(C_t)
/// </code>
/// PyTorch's <c>nn.LSTM</c> computes the same function; <see cref="PyTorchWeights"/> converts exactly.
/// </summary>
public sealed record Lstm<T>(
    Tensor<T> Wf, Tensor<T> Bf,
    Tensor<T> Wi, Tensor<T> Bi,
    Tensor<T> Wc, Tensor<T> Bc,
    Tensor<T> Wo, Tensor<T> Bo) : IGatedCell<LstmState<T>, LstmGates<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public int OutputSize => Bf.Shape[0];

    /// <inheritdoc/>
    public int InputSize => Wf.Shape[0] - OutputSize;

    /// <summary>A new cell with seeded weights (default: PyTorch's U(±1/√H), forget-gate bias 1).</summary>
    public static Lstm<T> Create(int inputSize, int hiddenSize, long seed, CellInit? init = null)
    {
        CellChecks.Sizes("lstm", inputSize, hiddenSize);
        var (i, rng) = (init ?? new CellInit(), new Rng(seed));
        Tensor<T> W() => i.GateWeight<T>(rng, inputSize, hiddenSize);
        return new Lstm<T>(
            W(), i.Bias<T>(rng, hiddenSize, forget: true),
            W(), i.Bias<T>(rng, hiddenSize),
            W(), i.Bias<T>(rng, hiddenSize),
            W(), i.Bias<T>(rng, hiddenSize));
    }

    /// <inheritdoc/>
    public LstmState<T> InitialState(int batchSize)
    {
        CellChecks.Batch("lstm", batchSize);
        return new(Tensor.Zeros<T>(batchSize, OutputSize), Tensor.Zeros<T>(batchSize, OutputSize));
    }

    /// <summary>One step of the essay's equations, returning the new state and the four gate activations.</summary>
    public (LstmState<T> State, LstmGates<T> Gates) StepWithGates(LstmState<T> state, Tensor<T> input)
    {
        CellChecks.Step("lstm", this, state, input);
        var hx = Concat(state.H, input);                                  // [h_{t-1}, x_t]
        var forgetGate = Sigmoid(MatMul(hx, Wf) + Bf);                    // f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
        var inputGate = Sigmoid(MatMul(hx, Wi) + Bi);                     // i_t = σ(W_i·[h_{t-1}, x_t] + b_i)
        var candidate = Tanh(MatMul(hx, Wc) + Bc);                        // C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
        var cellState = forgetGate * state.C + inputGate * candidate;     // C_t = f_t*C_{t-1} + i_t*C̃_t
        var outputGate = Sigmoid(MatMul(hx, Wo) + Bo);                    // o_t = σ(W_o·[h_{t-1}, x_t] + b_o)
        var hidden = outputGate * Tanh(cellState);                        // h_t = o_t*tanh(C_t)
        return (new(hidden, cellState), new(forgetGate, inputGate, candidate, outputGate));
    }

    /// <inheritdoc/>
    public LstmState<T> Step(LstmState<T> state, Tensor<T> input) => StepWithGates(state, input).State;

    /// <inheritdoc/>
    public Tensor<T> Output(LstmState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.H;
    }
}
