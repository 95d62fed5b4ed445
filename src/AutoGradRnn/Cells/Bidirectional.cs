using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>Outputs of a bidirectional unroll: <c>[B, T, H_fwd + H_bwd]</c> (forward features first) and each direction's final state.</summary>
public sealed record BidirectionalResult<TState, T>(Tensor<T> Outputs, TState ForwardFinal, TState BackwardFinal)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Two cells reading the sequence in opposite directions (Schuster &amp; Paliwal 1997); output t joins the
/// forward cell's h after reading x_1..x_t with the backward cell's h after reading x_T..x_t. With a mask,
/// the backward cell starts at each sequence's own last real step, as PyTorch's packed sequences do.
/// </summary>
public sealed record Bidirectional<TState, T>(IRecurrentCell<TState, T> Forward, IRecurrentCell<TState, T> Backward) : ISequenceEncoder<T>, IComposableEncoder<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    ISequenceEncoder<T> IComposableEncoder<T>.WithComposedCells() => WithComposedCells();

    /// <summary>Both directions seen through <see cref="ComposedCell{TState, T}"/>: their own per-equation steps, never a fused kernel.</summary>
    internal Bidirectional<TState, T> WithComposedCells() =>
        new(new ComposedCell<TState, T>(Cell(Forward, nameof(Forward))), new ComposedCell<TState, T>(Cell(Backward, nameof(Backward))));

    /// <inheritdoc/>
    public int InputSize => Cell(Forward, nameof(Forward)).InputSize;

    /// <summary>Features per output step: the forward cell's H plus the backward cell's.</summary>
    public int OutputSize => Cell(Forward, nameof(Forward)).OutputSize + Cell(Backward, nameof(Backward)).OutputSize;

    // A record built with a null direction would otherwise fail on a null reference deep inside an unroll.
    private static IRecurrentCell<TState, T> Cell(IRecurrentCell<TState, T>? cell, string name) =>
        cell ?? throw new ArgumentNullException(name, $"bidirectional: the {name.ToLowerInvariant()} cell is null");

    /// <summary>The joined outputs <c>[B, T, H_fwd + H_bwd]</c> of <see cref="Unroll(Tensor{T}, Tensor{T})"/>: an encoder for attention.</summary>
    public Tensor<T> Encode(Tensor<T> inputs, Tensor<T> mask) => Unroll(inputs, mask).Outputs;

    /// <summary>Unrolls both directions from zero states.</summary>
    public BidirectionalResult<TState, T> Unroll(Tensor<T> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank != 3) throw new ShapeMismatchException("bidirectional", "inputs must be [batch, time, features]", inputs.Shape);
        return Run(inputs, null, Cell(Forward, nameof(Forward)).InitialState(inputs.Shape[0]), Cell(Backward, nameof(Backward)).InitialState(inputs.Shape[0]));
    }

    /// <summary>Unrolls both directions from zero states over padded sequences (<paramref name="mask"/> <c>[B, T]</c>, 1 = real step).</summary>
    public BidirectionalResult<TState, T> Unroll(Tensor<T> inputs, Tensor<T> mask)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(mask);
        if (inputs.Rank != 3) throw new ShapeMismatchException("bidirectional", "inputs must be [batch, time, features]", inputs.Shape);
        return Unroll(inputs, Cell(Forward, nameof(Forward)).InitialState(inputs.Shape[0]), Cell(Backward, nameof(Backward)).InitialState(inputs.Shape[0]), mask);
    }

    /// <summary>
    /// Unrolls both directions from given initial states (e.g. PyTorch's <c>h0</c> rows for each direction), over
    /// padded sequences when <paramref name="mask"/> (<c>[B, T]</c>, 1 = real step) is given. The arguments come in the
    /// order of every unroll: inputs, then states, then the optional mask (as in
    /// <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState, Tensor{T})"/>).
    /// </summary>
    public BidirectionalResult<TState, T> Unroll(Tensor<T> inputs, TState forwardInitial, TState backwardInitial, Tensor<T>? mask = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(forwardInitial);
        ArgumentNullException.ThrowIfNull(backwardInitial);
        if (inputs.Rank != 3) throw new ShapeMismatchException("bidirectional", "inputs must be [batch, time, features]", inputs.Shape);
        return Run(inputs, mask, forwardInitial, backwardInitial);
    }

    /// <summary>Each direction is one <see cref="Sequence"/> unroll (fused where its cell has a kernel; see <see cref="UnrollTrace"/>).</summary>
    private BidirectionalResult<TState, T> Run(Tensor<T> inputs, Tensor<T>? mask, TState forwardInitial, TState backwardInitial)
    {
        int batch = inputs.Shape[0];
        Cell(Forward, nameof(Forward));
        Cell(Backward, nameof(Backward));
        var forward = Sequence.UnrollLabelled(Forward, inputs, forwardInitial, mask, $"Bidirectional.Forward: {Sequence.CellName(Forward)}");
        // Reversed in time, trailing padding comes first and leaves the backward state at zero until the real steps begin.
        var reversedMask = mask is null ? null : Sequence.ReverseTime(Reshape(mask, batch, -1, 1)).Reshape(batch, -1);
        var backward = Sequence.UnrollLabelled(Backward, Sequence.ReverseTime(inputs), backwardInitial, reversedMask, $"Bidirectional.Backward: {Sequence.CellName(Backward)}");
        return new(Concat(forward.Outputs, Sequence.ReverseTime(backward.Outputs)), forward.Final, backward.Final);
    }
}
