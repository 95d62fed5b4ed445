using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// Variational (recurrent) dropout (Gal &amp; Ghahramani 2016) around an RNN- or LSTM-family cell: one mask per sequence,
/// the same at every step, on the input and on the recurrent h,
/// <c>s_t = cell((h_{t−1} ⊙ m_h, c_{t−1}), x_t ⊙ m_x)</c>, with <c>m_x</c> <c>[B, D]</c> and <c>m_h</c> <c>[B, H]</c> drawn once
/// per sequence by <see cref="DropoutMasks.Draw{T}(Shape, double, Rng)"/> (0, or 1/(1−p)). The memory c is not dropped, so
/// it carries information across time untouched. One input mask is shared by all the gates (the tied form; the paper's
/// untied form draws one per gate). Evaluation passes masks of ones: the identity.
/// </summary>
/// <remarks>
/// The masks are inputs, so the cell stays a pure function <c>(state, input) → state</c>: each step reads
/// <c>[x_t, m_x, m_h]</c> (<c>[B, D + D + H]</c>), the same masks repeated at every step; <see cref="TrainingInputs"/> and
/// <see cref="EvaluationInputs"/> build them. The state must be <see cref="LstmState{T}"/> or <see cref="RnnState{T}"/>
/// (the cell's h is the only thing dropped). For <see cref="Rnn{T}"/> and the LSTMs h_{t−1} only enters the gates, which is
/// exactly the paper's form; a GRU also carries <c>(1 − z) ⊙ h_{t−1}</c>, which then sees the masked h as well.
/// The unroll runs per step: there is no fused kernel for VariationalDropout.
/// </remarks>
public sealed record VariationalDropout<TState, T>(IRecurrentCell<TState, T> Cell) : IRecurrentCell<TState, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The wrapped cell's input size D, plus D input-mask columns and H state-mask columns.</summary>
    public int InputSize => 2 * Cell.InputSize + Cell.OutputSize;

    /// <inheritdoc/>
    public int OutputSize => Cell.OutputSize;

    /// <inheritdoc/>
    public TState InitialState(int batchSize) => Cell.InitialState(batchSize);

    /// <summary><c>cell((h_{t−1} ⊙ m_h, c_{t−1}), x_t ⊙ m_x)</c>, where <paramref name="input"/> is <c>[x_t, m_x, m_h]</c>.</summary>
    /// <exception cref="NotSupportedException">The state is neither <see cref="LstmState{T}"/> nor <see cref="RnnState{T}"/>.</exception>
    public TState Step(TState state, Tensor<T> input)
    {
        CellChecks.Step("variational dropout", this, state, input);
        int d = Cell.InputSize, h = Cell.OutputSize;
        var x = Slice(input, 0, d, 1) * Slice(input, d, d, 1);
        var mh = Slice(input, 2 * d, h, 1);
        object dropped = state switch
        {
            LstmState<T> s => s with { H = s.H * mh },
            RnnState<T> s => s with { H = s.H * mh },
            _ => throw new NotSupportedException($"variational dropout: the state {typeof(TState).Name} has no single h to drop (LstmState or RnnState)"),
        };
        return Cell.Step((TState)dropped, x);
    }

    /// <inheritdoc/>
    public Tensor<T> Output(TState state) => Cell.Output(state);

    /// <summary>
    /// Training inputs <c>[B, T, 2D + H]</c>: <paramref name="inputs"/> <c>[B, T, D]</c> followed by one input mask <c>[B, D]</c>
    /// (dropout probability <paramref name="inputP"/>) and one state mask <c>[B, H]</c> (<paramref name="stateP"/>) per
    /// sequence, drawn in that order from <paramref name="rng"/> and repeated at every step.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputP"/> or <paramref name="stateP"/> is not in [0, 1).</exception>
    public Tensor<T> TrainingInputs(Tensor<T> inputs, double inputP, double stateP, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        DropoutMasks.CheckProbability(inputP, nameof(inputP));
        DropoutMasks.CheckProbability(stateP, nameof(stateP));
        int batch = CheckInputs(inputs);
        var mx = DropoutMasks.Draw<T>(new Shape(batch, Cell.InputSize), inputP, rng);
        var mh = DropoutMasks.Draw<T>(new Shape(batch, Cell.OutputSize), stateP, rng);
        return WithMasks(inputs, Concat(mx, mh));
    }

    /// <summary>Evaluation inputs: <paramref name="inputs"/> followed by masks of ones, so the wrapped cell runs as it is.</summary>
    public Tensor<T> EvaluationInputs(Tensor<T> inputs) =>
        WithMasks(inputs, Tensor.Ones<T>(CheckInputs(inputs), Cell.InputSize + Cell.OutputSize));

    private static Tensor<T> WithMasks(Tensor<T> inputs, Tensor<T> masks)
    {
        int steps = inputs.Shape[1];
        var perStep = Reshape(masks, masks.Shape[0], 1, masks.Shape[1]);
        return Concat(inputs, Concat(Enumerable.Repeat(perStep, steps).ToArray(), 1));
    }

    private int CheckInputs(Tensor<T> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank != 3 || inputs.Shape[2] != Cell.InputSize)
            throw new ShapeMismatchException("variational dropout inputs", $"inputs must be [batch, time, {Cell.InputSize}]", inputs.Shape);
        return inputs.Shape[0];
    }
}
