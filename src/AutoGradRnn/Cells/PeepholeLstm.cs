using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// The peephole LSTM (Gers &amp; Schmidhuber 2000): the gates also look at the cell state — f_t and i_t at
/// C_{t-1}, o_t at the new C_t. The essay writes it with full weights on the concatenation,
/// <c>f_t = σ(W_f·[C_{t-1}, h_{t-1}, x_t] + b_f)</c>, which is <c>C_{t-1}·P_f + [h_{t-1}, x_t]·W_f</c> with the
/// block P_f split out. The peephole weights P decide the form:
/// <list type="bullet">
/// <item>P of shape <c>[H, H]</c>: the essay's full form, C·P.</item>
/// <item>P of shape <c>[H]</c>: the diagonal form of Gers et al. 2002 (and most libraries), p ⊙ C — each
/// cell sees only its own state.</item>
/// </list>
/// <code>
/// f_t = σ(W_f·[h_{t-1}, x_t] + P_f·C_{t-1} + b_f)
/// i_t = σ(W_i·[h_{t-1}, x_t] + P_i·C_{t-1} + b_i)
/// C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
/// C_t = f_t * C_{t-1} + i_t * C̃_t
/// o_t = σ(W_o·[h_{t-1}, x_t] + P_o·C_t + b_o)
/// h_t = o_t * tanh(C_t)
/// </code>
/// </summary>
/// <remarks>
/// <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/> runs the diagonal form as one
/// fused op; the full form stays on the per-step path (C_{t-1}·P and C_t·P_o would be two more matrix products per
/// step, one of them between the gates).
/// </remarks>
public sealed record PeepholeLstm<T>(
    Tensor<T> Wf, Tensor<T> Pf, Tensor<T> Bf,
    Tensor<T> Wi, Tensor<T> Pi, Tensor<T> Bi,
    Tensor<T> Wc, Tensor<T> Bc,
    Tensor<T> Wo, Tensor<T> Po, Tensor<T> Bo) : IGatedCell<LstmState<T>, LstmGates<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public int OutputSize => Bf.Shape[0];

    /// <inheritdoc/>
    public int InputSize => Wf.Shape[0] - OutputSize;

    /// <summary>True for the diagonal form (P are vectors), false for the essay's full form (P are matrices).</summary>
    public bool Diagonal => Pf.Rank == 1;

    /// <summary>A new cell; <paramref name="diagonal"/> picks the Gers 2002 diagonal peepholes over the essay's full ones.</summary>
    public static PeepholeLstm<T> Create(int inputSize, int hiddenSize, long seed, bool diagonal = false, CellInit? init = null)
    {
        CellChecks.Sizes("peephole lstm", inputSize, hiddenSize);
        var (i, rng) = (init ?? new CellInit(), new Rng(seed));
        Tensor<T> W() => i.GateWeight<T>(rng, inputSize, hiddenSize);
        Tensor<T> P() => diagonal
            ? rng.Uniform<T>(new Shape(hiddenSize), -1 / Math.Sqrt(hiddenSize), 1 / Math.Sqrt(hiddenSize))
            : i.Block<T>(rng, hiddenSize, hiddenSize, recurrent: false);
        return new PeepholeLstm<T>(
            W(), P(), i.Bias<T>(rng, hiddenSize, forget: true),
            W(), P(), i.Bias<T>(rng, hiddenSize),
            W(), i.Bias<T>(rng, hiddenSize),
            W(), P(), i.Bias<T>(rng, hiddenSize));
    }

    /// <inheritdoc/>
    public LstmState<T> InitialState(int batchSize)
    {
        CellChecks.Batch("peephole lstm", batchSize);
        return new(Tensor.Zeros<T>(batchSize, OutputSize), Tensor.Zeros<T>(batchSize, OutputSize));
    }

    /// <summary>The peephole term P·C: a matrix product in the full form, elementwise in the diagonal form.</summary>
    private Tensor<T> Peep(Tensor<T> cellState, Tensor<T> p) => Diagonal ? cellState * p : MatMul(cellState, p);

    /// <summary>One step, returning the new state and the four gate activations.</summary>
    public (LstmState<T> State, LstmGates<T> Gates) StepWithGates(LstmState<T> state, Tensor<T> input)
    {
        CellChecks.Step("peephole lstm", this, state, input);
        var hx = Concat(state.H, input);                                          // [h_{t-1}, x_t]
        var forgetGate = Sigmoid(MatMul(hx, Wf) + Peep(state.C, Pf) + Bf);       // f_t = σ(W_f·[C_{t-1}, h_{t-1}, x_t] + b_f)
        var inputGate = Sigmoid(MatMul(hx, Wi) + Peep(state.C, Pi) + Bi);        // i_t = σ(W_i·[C_{t-1}, h_{t-1}, x_t] + b_i)
        var candidate = Tanh(MatMul(hx, Wc) + Bc);                                // C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
        var cellState = forgetGate * state.C + inputGate * candidate;             // C_t = f_t*C_{t-1} + i_t*C̃_t
        var outputGate = Sigmoid(MatMul(hx, Wo) + Peep(cellState, Po) + Bo);     // o_t = σ(W_o·[C_t, h_{t-1}, x_t] + b_o)
        var hidden = outputGate * Tanh(cellState);                                // h_t = o_t*tanh(C_t)
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
