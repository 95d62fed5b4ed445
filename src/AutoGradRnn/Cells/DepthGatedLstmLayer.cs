using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// Layer L+1 ≥ 1 of a depth-gated LSTM (Yao, Cohn, Vylomova, Duh &amp; Dyer 2015): an LSTM whose memory cell also
/// receives the memory cell of the layer below, through a depth gate d_t. Its input x_t is the lower layer's h_t^L.
/// <code>
/// f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
/// i_t = σ(W_i·[h_{t-1}, x_t] + b_i)
/// C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
/// d_t = σ(b_d + W_xd·x_t + w_cd ⊙ C_{t-1} + w_ld ⊙ C_t^L)
/// C_t = d_t ⊙ C_t^L + f_t ⊙ C_{t-1} + i_t ⊙ C̃_t
/// o_t = σ(W_o·[h_{t-1}, x_t] + b_o)
/// h_t = o_t ⊙ tanh(C_t)
/// </code>
/// Every W is <c>[H + D, H]</c> on <c>[h_{t-1}, x_t]</c> (rows for h_{t-1} first), every b <c>[H]</c>; W_xd is
/// <c>[D, H]</c>; w_cd and w_ld are <c>[H]</c> (elementwise, as in the paper). C_t^L must have this layer's size H.
/// The paper's gates also carry peephole terms (W_ci·c_{t-1} …); this layer uses the essay's LSTM gates, so with
/// d_t = 0 it is exactly <see cref="Lstm{T}"/>.
/// </summary>
public sealed record DepthGatedLstmLayer<T>(
    Tensor<T> Wf, Tensor<T> Bf,
    Tensor<T> Wi, Tensor<T> Bi,
    Tensor<T> Wc, Tensor<T> Bc,
    Tensor<T> Wo, Tensor<T> Bo,
    Tensor<T> Wxd, Tensor<T> Wcd, Tensor<T> Wld, Tensor<T> Bd)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Features of the output h_t: the memory cells H (equal to the layer below's).</summary>
    public int OutputSize => Bf.Shape[0];

    /// <summary>Features of x_t = h_t^L, the layer below's output.</summary>
    public int InputSize => Wf.Shape[0] - OutputSize;

    /// <summary>A new layer (default init: PyTorch's U(±1/√H), forget-gate bias 1; depth-gate weights and bias U(±1/√H)).</summary>
    public static DepthGatedLstmLayer<T> Create(int inputSize, int hiddenSize, long seed, CellInit? init = null)
    {
        CellChecks.Sizes("depth-gated lstm layer", inputSize, hiddenSize);
        var (i, rng) = (init ?? new CellInit(), new Rng(seed));
        Tensor<T> W() => i.GateWeight<T>(rng, inputSize, hiddenSize);
        Tensor<T> Diagonal() => rng.Uniform<T>(new Shape(hiddenSize), -1 / Math.Sqrt(hiddenSize), 1 / Math.Sqrt(hiddenSize));
        return new DepthGatedLstmLayer<T>(
            W(), i.Bias<T>(rng, hiddenSize, forget: true),
            W(), i.Bias<T>(rng, hiddenSize),
            W(), i.Bias<T>(rng, hiddenSize),
            W(), i.Bias<T>(rng, hiddenSize),
            i.Block<T>(rng, inputSize, hiddenSize, recurrent: false), Diagonal(), Diagonal(), i.Bias<T>(rng, hiddenSize));
    }

    /// <summary>
    /// One step given the layer below's output <paramref name="input"/> = h_t^L and memory <paramref name="lowerCell"/> = C_t^L
    /// at the same time step; returns the new state, the LSTM gates and the depth gate d_t.
    /// </summary>
    public (LstmState<T> State, LstmGates<T> Gates, Tensor<T> DepthGate) StepWithGates(LstmState<T> state, Tensor<T> input, Tensor<T> lowerCell)
    {
        CellChecks.Input("depth-gated lstm layer", input, InputSize);
        CellChecks.State<T>("depth-gated lstm layer", state, new LstmState<T>(Tensor.Zeros<T>(input.Shape[0], OutputSize), Tensor.Zeros<T>(input.Shape[0], OutputSize)), input.Shape);
        ArgumentNullException.ThrowIfNull(lowerCell);
        if (lowerCell.Shape != state.C.Shape)
            throw new ShapeMismatchException("depth-gated lstm layer step", $"the lower layer's cell state must be [{input.Shape[0]}, {OutputSize}], this layer's size", lowerCell.Shape, state.C.Shape);
        var hx = Concat(state.H, input);                                                  // [h_{t-1}, x_t]
        var forgetGate = Sigmoid(MatMul(hx, Wf) + Bf);                                    // f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
        var inputGate = Sigmoid(MatMul(hx, Wi) + Bi);                                     // i_t = σ(W_i·[h_{t-1}, x_t] + b_i)
        var candidate = Tanh(MatMul(hx, Wc) + Bc);                                        // C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
        var depthGate = Sigmoid(Bd + MatMul(input, Wxd) + Wcd * state.C + Wld * lowerCell); // d_t = σ(b_d + W_xd·x_t + w_cd⊙C_{t-1} + w_ld⊙C_t^L)
        var cellState = depthGate * lowerCell + forgetGate * state.C + inputGate * candidate; // C_t = d_t⊙C_t^L + f_t⊙C_{t-1} + i_t⊙C̃_t
        var outputGate = Sigmoid(MatMul(hx, Wo) + Bo);                                    // o_t = σ(W_o·[h_{t-1}, x_t] + b_o)
        var hidden = outputGate * Tanh(cellState);                                        // h_t = o_t⊙tanh(C_t)
        return (new(hidden, cellState), new(forgetGate, inputGate, candidate, outputGate), depthGate);
    }
}
