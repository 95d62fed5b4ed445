using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Anything that reads a whole padded sequence <c>[B, T, D]</c> into one feature vector per step <c>[B, T, E]</c>: the
/// encoder of a sequence-to-sequence model, whose outputs h_j an attention mechanism looks at. Implemented by
/// <see cref="RecurrentEncoder{TState, T}"/> (one direction, any cell) and <see cref="Bidirectional{TState, T}"/>.
/// </summary>
public interface ISequenceEncoder<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Features per input step (D).</summary>
    int InputSize { get; }

    /// <summary>Features per output step (E).</summary>
    int OutputSize { get; }

    /// <summary>The per-step features of <paramref name="inputs"/> <c>[B, T, D]</c>; <paramref name="mask"/> <c>[B, T]</c> is 1 on real steps (outputs on padding are 0).</summary>
    Tensor<T> Encode(Tensor<T> inputs, Tensor<T> mask);
}

/// <summary>An encoder that can run its cells' own per-equation steps instead of their fused kernels (for tracing).</summary>
internal interface IComposableEncoder<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The same encoder with every cell seen through <see cref="ComposedCell{TState, T}"/>.</summary>
    ISequenceEncoder<T> WithComposedCells();
}

/// <summary>A single recurrent cell read left to right as an encoder: h_j = the cell's output after x_1..x_j.</summary>
public sealed record RecurrentEncoder<TState, T>(IRecurrentCell<TState, T> Cell) : ISequenceEncoder<T>, IComposableEncoder<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    ISequenceEncoder<T> IComposableEncoder<T>.WithComposedCells() => new RecurrentEncoder<TState, T>(new ComposedCell<TState, T>(Cell));

    /// <inheritdoc/>
    public int InputSize => Cell.InputSize;

    /// <inheritdoc/>
    public int OutputSize => Cell.OutputSize;

    /// <inheritdoc/>
    public Tensor<T> Encode(Tensor<T> inputs, Tensor<T> mask)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank != 3) throw new ShapeMismatchException("recurrent encoder", "inputs must be [batch, time, features]", inputs.Shape);
        return Sequence.Unroll(Cell, inputs, Cell.InitialState(inputs.Shape[0]), mask).Outputs;
    }
}
