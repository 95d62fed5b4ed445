using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// Zoneout (Krueger et al. 2017) around any cell: at every step each unit of every state leaf keeps its previous value
/// with probability p instead of taking the new one,
/// <c>s_t = m_t ⊙ s_{t−1} + (1 − m_t) ⊙ cell(s_{t−1}, x_t)</c> with <c>m_t ~ Bernoulli(p)</c> per unit and step (for an LSTM
/// both h and c; Krueger et al. zone them out separately, as here, each leaf with its own mask). Evaluation uses the
/// expectation over the masks, <c>s_t = p·s_{t−1} + (1 − p)·cell(s_{t−1}, x_t)</c>: the same equation with every m = p.
/// </summary>
/// <remarks>
/// The masks are inputs, so the cell stays a pure function <c>(state, input) → state</c>: each step reads
/// <c>[x_t, m_t]</c>, its own input followed by one mask column block per state leaf, in the order of
/// <see cref="ParameterTree{T}.Flatten"/> (<c>[B, D + Σ H_leaf]</c>). <see cref="TrainingInputs"/> draws the masks,
/// <see cref="EvaluationInputs"/> fills them with p; either goes to <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/>
/// like any other input (the unroll runs per step: there is no fused kernel for Zoneout).
/// </remarks>
public sealed record Zoneout<TState, T>(IRecurrentCell<TState, T> Cell) : IRecurrentCell<TState, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The width of each state leaf, in <see cref="ParameterTree{T}.Flatten"/> order (the mask column blocks).</summary>
    public int[] MaskSizes => [.. ParameterTree<T>.Leaves(Cell.InitialState(1)!).Select(l => l.Shape[l.Rank - 1])];

    /// <summary>The wrapped cell's input size plus one mask column per state unit.</summary>
    public int InputSize => Cell.InputSize + MaskSizes.Sum();

    /// <inheritdoc/>
    public int OutputSize => Cell.OutputSize;

    /// <inheritdoc/>
    public TState InitialState(int batchSize) => Cell.InitialState(batchSize);

    /// <summary><c>s_t = m_t ⊙ s_{t−1} + (1 − m_t) ⊙ cell(s_{t−1}, x_t)</c>, leaf by leaf, where <paramref name="input"/> is <c>[x_t, m_t]</c>.</summary>
    public TState Step(TState state, Tensor<T> input)
    {
        CellChecks.Step("zoneout", this, state, input);
        int d = Cell.InputSize;
        var next = Cell.Step(state, Slice(input, 0, d, 1));
        var previous = ParameterTree<T>.Leaves(state!);
        var fresh = ParameterTree<T>.Leaves(next!);
        var mixed = new Tensor<T>[fresh.Count];
        int offset = d;
        for (int i = 0; i < fresh.Count; i++)
        {
            int h = fresh[i].Shape.Last;
            var m = Slice(input, offset, h, 1);
            offset += h;
            mixed[i] = m * previous[i] + OneMinus(m) * fresh[i];
        }
        return ParameterTree<T>.Unflatten(next, mixed);
    }

    /// <inheritdoc/>
    public Tensor<T> Output(TState state) => Cell.Output(state);

    /// <summary>
    /// Training inputs <c>[B, T, D + Σ H_leaf]</c>: <paramref name="inputs"/> <c>[B, T, D]</c> followed by masks of 0s and 1s,
    /// 1 (keep the previous value) with probability <paramref name="p"/>, a fresh draw for every sequence, step and unit,
    /// in row-major order from <paramref name="rng"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1).</exception>
    public Tensor<T> TrainingInputs(Tensor<T> inputs, double p, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        DropoutMasks.CheckProbability(p, nameof(p));
        var shape = MaskShape(inputs);
        var data = new T[shape.Count];
        if (p > 0)
            for (int i = 0; i < data.Length; i++) data[i] = rng.NextDouble() < p ? T.One : T.Zero;
        return Concat(inputs, new Tensor<T>(data, shape));
    }

    /// <summary>Evaluation inputs: <paramref name="inputs"/> followed by masks equal to <paramref name="p"/>, so each step is the expectation of the training step over its masks.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1).</exception>
    public Tensor<T> EvaluationInputs(Tensor<T> inputs, double p)
    {
        DropoutMasks.CheckProbability(p, nameof(p));
        return Concat(inputs, Tensor.Fill(T.CreateTruncating(p), MaskShape(inputs)));
    }

    private Shape MaskShape(Tensor<T> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank != 3 || inputs.Shape[2] != Cell.InputSize)
            throw new ShapeMismatchException("zoneout inputs", $"inputs must be [batch, time, {Cell.InputSize}]", inputs.Shape);
        return new Shape(inputs.Shape[0], inputs.Shape[1], MaskSizes.Sum());
    }
}
