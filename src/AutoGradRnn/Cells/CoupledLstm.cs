using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// The LSTM with coupled forget and input gates: "we only forget when we're going to input something in
/// its place". There is no separate input gate; 1 − f_t takes its role.
/// <code>
/// f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
/// C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
/// C_t = f_t * C_{t-1} + (1 − f_t) * C̃_t
/// o_t = σ(W_o·[h_{t-1}, x_t] + b_o)
/// h_t = o_t * tanh(C_t)
/// </code>
/// The gates it returns report i_t = 1 − f_t as the input gate.
/// </summary>
public sealed record CoupledLstm<T>(
    Tensor<T> Wf, Tensor<T> Bf,
    Tensor<T> Wc, Tensor<T> Bc,
    Tensor<T> Wo, Tensor<T> Bo) : IGatedCell<LstmState<T>, LstmGates<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public int OutputSize => Bf.Shape[0];

    /// <inheritdoc/>
    public int InputSize => Wf.Shape[0] - OutputSize;

    /// <summary>A new cell with seeded weights (default: PyTorch's U(±1/√H), forget-gate bias 1).</summary>
    public static CoupledLstm<T> Create(int inputSize, int hiddenSize, long seed, CellInit? init = null)
    {
        CellChecks.Sizes("coupled lstm", inputSize, hiddenSize);
        var (i, rng) = (init ?? new CellInit(), new Rng(seed));
        Tensor<T> W() => i.GateWeight<T>(rng, inputSize, hiddenSize);
        return new CoupledLstm<T>(
            W(), i.Bias<T>(rng, hiddenSize, forget: true),
            W(), i.Bias<T>(rng, hiddenSize),
            W(), i.Bias<T>(rng, hiddenSize));
    }

    /// <inheritdoc/>
    public LstmState<T> InitialState(int batchSize)
    {
        CellChecks.Batch("coupled lstm", batchSize);
        return new(Tensor.Zeros<T>(batchSize, OutputSize), Tensor.Zeros<T>(batchSize, OutputSize));
    }

    /// <summary>One step, returning the new state and the gates (input gate reported as 1 − f_t).</summary>
    public (LstmState<T> State, LstmGates<T> Gates) StepWithGates(LstmState<T> state, Tensor<T> input)
    {
        CellChecks.Step("coupled lstm", this, state, input);
        var hx = Concat(state.H, input);                                      // [h_{t-1}, x_t]
        var forgetGate = Sigmoid(MatMul(hx, Wf) + Bf);                        // f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
        var inputGate = T.One - forgetGate;                                   // i_t = 1 − f_t
        var candidate = Tanh(MatMul(hx, Wc) + Bc);                            // C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
        var cellState = forgetGate * state.C + inputGate * candidate;         // C_t = f_t*C_{t-1} + (1 − f_t)*C̃_t
        var outputGate = Sigmoid(MatMul(hx, Wo) + Bo);                        // o_t = σ(W_o·[h_{t-1}, x_t] + b_o)
        var hidden = outputGate * Tanh(cellState);                            // h_t = o_t*tanh(C_t)
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
