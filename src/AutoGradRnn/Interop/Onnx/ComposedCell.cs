using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// A cell seen through a wrapper no fused kernel recognises, so that every unroll of it (also one nested inside a
/// <see cref="Bidirectional{TState, T}"/> or an encoder) runs the cell's own per-equation <see cref="IRecurrentCell{TState, T}.Step"/>:
/// what a tracer needs, since a fused kernel records one opaque node for the whole sequence.
/// </summary>
internal sealed record ComposedCell<TState, T>(IRecurrentCell<TState, T> Cell) : IRecurrentCell<TState, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public int InputSize => Cell.InputSize;

    public int OutputSize => Cell.OutputSize;

    public TState InitialState(int batchSize) => Cell.InitialState(batchSize);

    public TState Step(TState state, Tensor<T> input) => Cell.Step(state, input);

    public Tensor<T> Output(TState state) => Cell.Output(state);
}
