using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// The LSTM with a recurrent projection layer (LSTMP, Sak, Senior &amp; Beaufays 2014), as PyTorch's
/// <c>nn.LSTM(…, proj_size=P)</c> computes it: the cell keeps H memory cells, but what it outputs and feeds back is a
/// projection of the cell outputs to P features, which shrinks the recurrent weights from 4·H·H to 4·H·P.
/// <code>
/// f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
/// i_t = σ(W_i·[h_{t-1}, x_t] + b_i)
/// C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
/// C_t = f_t * C_{t-1} + i_t * C̃_t
/// o_t = σ(W_o·[h_{t-1}, x_t] + b_o)
/// h_t = W_hr·(o_t * tanh(C_t))
/// </code>
/// h_t is <c>[B, P]</c>, C_t <c>[B, H]</c>. Every W is <c>[P + D, H]</c> acting on <c>[h_{t-1}, x_t]</c> (P rows for
/// h_{t-1} first), every b <c>[H]</c>, and W_hr is <c>[H, P]</c> (PyTorch's <c>weight_hr_l0</c> transposed). Sak et al.
/// call o_t * tanh(C_t) the cell output m_t and h_t the recurrent projection r_t; their cell also has peepholes,
/// PyTorch's (and this one) does not. <see cref="PyTorchWeights.ToProjectionLstm{T}"/> converts PyTorch's weights exactly.
/// </summary>
public sealed record ProjectionLstm<T>(
    Tensor<T> Wf, Tensor<T> Bf,
    Tensor<T> Wi, Tensor<T> Bi,
    Tensor<T> Wc, Tensor<T> Bc,
    Tensor<T> Wo, Tensor<T> Bo,
    Tensor<T> Whr) : IGatedCell<LstmState<T>, LstmGates<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Features of the output h_t: the projection size P.</summary>
    public int OutputSize => Whr.Shape[1];

    /// <summary>Memory cells H (the size of C_t and of every gate).</summary>
    public int CellSize => Bf.Shape[0];

    /// <inheritdoc/>
    public int InputSize => Wf.Shape[0] - OutputSize;

    /// <summary>
    /// A new cell with H = <paramref name="hiddenSize"/> memory cells projected to P = <paramref name="projectionSize"/>
    /// outputs (default init: PyTorch's U(±1/√H) with forget-gate bias 1). PyTorch requires P &lt; H; any P ≥ 1 is a valid function here.
    /// </summary>
    public static ProjectionLstm<T> Create(int inputSize, int hiddenSize, int projectionSize, long seed, CellInit? init = null)
    {
        CellChecks.Sizes("projection lstm", inputSize, hiddenSize);
        if (projectionSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(projectionSize), $"projection lstm: projection size {projectionSize} must be positive");
        var (i, rng) = (init ?? new CellInit(), new Rng(seed));
        Tensor<T> W() => Concat([i.Block<T>(rng, projectionSize, hiddenSize, recurrent: true), i.Block<T>(rng, inputSize, hiddenSize, recurrent: false)], axis: 0);
        return new ProjectionLstm<T>(
            W(), i.Bias<T>(rng, hiddenSize, forget: true),
            W(), i.Bias<T>(rng, hiddenSize),
            W(), i.Bias<T>(rng, hiddenSize),
            W(), i.Bias<T>(rng, hiddenSize),
            i.Projection<T>(rng, hiddenSize, projectionSize));
    }

    /// <summary>h_0 = 0 <c>[B, P]</c>, C_0 = 0 <c>[B, H]</c>.</summary>
    public LstmState<T> InitialState(int batchSize)
    {
        CellChecks.Batch("projection lstm", batchSize);
        return new(Tensor.Zeros<T>(batchSize, OutputSize), Tensor.Zeros<T>(batchSize, CellSize));
    }

    /// <summary>One step, returning the new state (h_t projected) and the four gate activations.</summary>
    public (LstmState<T> State, LstmGates<T> Gates) StepWithGates(LstmState<T> state, Tensor<T> input)
    {
        CellChecks.Step("projection lstm", this, state, input);
        var hx = Concat(state.H, input);                                  // [h_{t-1}, x_t]
        var forgetGate = Sigmoid(MatMul(hx, Wf) + Bf);                    // f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
        var inputGate = Sigmoid(MatMul(hx, Wi) + Bi);                     // i_t = σ(W_i·[h_{t-1}, x_t] + b_i)
        var candidate = Tanh(MatMul(hx, Wc) + Bc);                        // C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
        var cellState = forgetGate * state.C + inputGate * candidate;     // C_t = f_t*C_{t-1} + i_t*C̃_t
        var outputGate = Sigmoid(MatMul(hx, Wo) + Bo);                    // o_t = σ(W_o·[h_{t-1}, x_t] + b_o)
        var hidden = MatMul(outputGate * Tanh(cellState), Whr);           // h_t = W_hr·(o_t*tanh(C_t))
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
