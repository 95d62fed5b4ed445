using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// A recurrent cell: a pure function <c>(state, x_t) → state</c> plus its parameters (the implementing
/// record <em>is</em> the parameter tree, as in Equinox). Nothing is mutated: a step returns a new state.
/// </summary>
/// <typeparam name="TState">The carried state, itself a parameter tree (e.g. <see cref="LstmState{T}"/>).</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IRecurrentCell<TState, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Features per input step (D).</summary>
    int InputSize { get; }

    /// <summary>Features of the output h_t (H).</summary>
    int HiddenSize { get; }

    /// <summary>The all-zero state for a batch of <paramref name="batchSize"/> sequences.</summary>
    TState InitialState(int batchSize);

    /// <summary>One time step: the state after reading <paramref name="input"/> <c>[B, D]</c>.</summary>
    TState Step(TState state, Tensor<T> input);

    /// <summary>The output h_t carried in <paramref name="state"/> (<c>[B, H]</c>).</summary>
    Tensor<T> Output(TState state);
}

/// <summary>A cell whose step can also hand back its gate activations, computed by the very same code as <see cref="IRecurrentCell{TState, T}.Step"/>.</summary>
public interface IGatedCell<TState, TGates, T> : IRecurrentCell<TState, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>One time step, returning the new state and the gates that produced it.</summary>
    (TState State, TGates Gates) StepWithGates(TState state, Tensor<T> input);
}

/// <summary>Shape checks shared by the cells, so a wrong input names the cell and the shapes.</summary>
internal static class CellChecks
{
    public static void Step<T>(string cell, Tensor<T> input, Tensor<T> hidden, int inputSize, int hiddenSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(hidden);
        if (input.Rank != 2 || input.Shape[1] != inputSize)
            throw new ShapeMismatchException($"{cell} step", $"input must be [batch, {inputSize}]", input.Shape);
        if (hidden.Rank != 2 || hidden.Shape[1] != hiddenSize || hidden.Shape[0] != input.Shape[0])
            throw new ShapeMismatchException($"{cell} step", $"state must be [{input.Shape[0]}, {hiddenSize}] for this input", input.Shape, hidden.Shape);
    }

    /// <summary>A memory (cell state) must be <c>[batch, size]</c> for the batch of the input.</summary>
    public static void Memory<T>(string cell, Tensor<T> memory, int batch, int size) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (memory.Shape != new Shape(batch, size))
            throw new ShapeMismatchException($"{cell} step", $"the cell state must be [{batch}, {size}]", memory.Shape);
    }

    /// <summary>A count (layers, modules) must be at least one.</summary>
    public static void Count(string cell, string what, int count, string paramName)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(paramName, $"{cell}: {count} {what}; at least 1 is needed");
    }

    public static void Weight<T>(string cell, string name, Tensor<T> w, params int[] expected) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(w, name);
        if (w.Shape != new Shape(expected))
            throw new ShapeMismatchException(cell, $"parameter {name} must be {new Shape(expected)}", w.Shape);
    }

    public static void Sizes(string cell, int inputSize, int hiddenSize)
    {
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), $"{cell}: input size {inputSize} must be positive");
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"{cell}: hidden size {hiddenSize} must be positive");
    }

    public static void Batch(string cell, int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"{cell}: batch size {batchSize} must be positive");
    }
}
