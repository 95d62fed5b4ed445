using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// The layer-normalised LSTM of Ba, Kiros &amp; Hinton 2016 ("Layer Normalization", supplementary, "Layer-normalized
/// LSTM"). The recurrent and the input contributions to the four gate pre-activations are normalised separately,
/// each with its own gain α and bias β, and the cell state is normalised before its tanh:
/// <code>
/// (f_t, i_t, o_t, g_t) = LN(W_h·h_{t-1}; α₁, β₁) + LN(W_x·x_t; α₂, β₂) + b
/// C_t = σ(f_t) * C_{t-1} + σ(i_t) * tanh(g_t)
/// h_t = σ(o_t) * tanh(LN(C_t; α₃, β₃))
/// </code>
/// LN(z; α, β) = α ⊙ (z − μ)/√(σ² + ε) + β over the features of each row (<see cref="Ops.LayerNorm{T}"/>). As in the
/// paper, each LN normalises the four gates' pre-activations <em>together</em> (4H features), in the paper's gate order
/// f, i, o, g along the columns of W_h <c>[H, 4H]</c> and W_x <c>[D, 4H]</c>; α₁, β₁, α₂, β₂, b are <c>[4H]</c>; α₃,
/// β₃ are <c>[H]</c>. (Some libraries, e.g. TensorFlow's <c>LayerNormBasicLSTMCell</c>, normalise each gate on its own;
/// that is a different function.) β₁ + β₂ + b only ever appear summed, as in the paper. The state carries the
/// un-normalised C_t.
/// </summary>
public sealed record LayerNormLstm<T>(
    Tensor<T> Wh, Tensor<T> Wx, Tensor<T> B,
    Tensor<T> GainH, Tensor<T> BiasH,
    Tensor<T> GainX, Tensor<T> BiasX,
    Tensor<T> GainC, Tensor<T> BiasC) : IGatedCell<LstmState<T>, LstmGates<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>ε inside every LN's square root (default 1e-5, PyTorch's <c>nn.LayerNorm</c> default).</summary>
    public double Epsilon { get; init; } = 1e-5;

    /// <inheritdoc/>
    public int OutputSize => Wh.Shape[0];

    /// <inheritdoc/>
    public int InputSize => Wx.Shape[0];

    /// <summary>
    /// A new cell: W_h, W_x drawn gate by gate as <see cref="CellInit"/> says (default U(±1/√H)), b = 0 except the
    /// forget gate's 1 (with <see cref="CellInit.UnitForgetBias"/>), every gain α = 1 and every LN bias β = 0.
    /// </summary>
    public static LayerNormLstm<T> Create(int inputSize, int hiddenSize, long seed, CellInit? init = null)
    {
        CellChecks.Sizes("layer-norm lstm", inputSize, hiddenSize);
        var (i, rng) = (init ?? new CellInit(), new Rng(seed));
        Tensor<T> Gates(int rows, bool recurrent) =>
            Concat(Enumerable.Range(0, 4).Select(_ => i.Block<T>(rng, rows, hiddenSize, recurrent)).ToArray(), axis: 1);
        var wh = Gates(hiddenSize, recurrent: true);
        var wx = Gates(inputSize, recurrent: false);
        var forgetBias = i.UnitForgetBias ? Tensor.Ones<T>(hiddenSize) : Tensor.Zeros<T>(hiddenSize);
        var b = Concat([forgetBias, Tensor.Zeros<T>(3 * hiddenSize)], axis: 0);   // order f, i, o, g
        return new LayerNormLstm<T>(wh, wx, b,
            Tensor.Ones<T>(4 * hiddenSize), Tensor.Zeros<T>(4 * hiddenSize),
            Tensor.Ones<T>(4 * hiddenSize), Tensor.Zeros<T>(4 * hiddenSize),
            Tensor.Ones<T>(hiddenSize), Tensor.Zeros<T>(hiddenSize));
    }

    /// <inheritdoc/>
    public LstmState<T> InitialState(int batchSize)
    {
        CellChecks.Batch("layer-norm lstm", batchSize);
        return new(Tensor.Zeros<T>(batchSize, OutputSize), Tensor.Zeros<T>(batchSize, OutputSize));
    }

    /// <summary>One step of the paper's equations, returning the new state and the gate activations σ(f_t), σ(i_t), tanh(g_t), σ(o_t).</summary>
    public (LstmState<T> State, LstmGates<T> Gates) StepWithGates(LstmState<T> state, Tensor<T> input)
    {
        CellChecks.Step("layer-norm lstm", this, state, input);
        var recurrent = LayerNorm(MatMul(state.H, Wh), GainH, BiasH, Epsilon);     // LN(W_h·h_{t-1}; α₁, β₁)
        var fromInput = LayerNorm(MatMul(input, Wx), GainX, BiasX, Epsilon);       // LN(W_x·x_t; α₂, β₂)
        var pre = Split(recurrent + fromInput + B, 4);                             // (f_t, i_t, o_t, g_t) = LN(…) + LN(…) + b
        var forgetGate = Sigmoid(pre[0]);                                          // σ(f_t)
        var inputGate = Sigmoid(pre[1]);                                           // σ(i_t)
        var outputGate = Sigmoid(pre[2]);                                          // σ(o_t)
        var candidate = Tanh(pre[3]);                                              // tanh(g_t)
        var cellState = forgetGate * state.C + inputGate * candidate;              // C_t = σ(f_t)*C_{t-1} + σ(i_t)*tanh(g_t)
        var hidden = outputGate * Tanh(LayerNorm(cellState, GainC, BiasC, Epsilon)); // h_t = σ(o_t)*tanh(LN(C_t; α₃, β₃))
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
