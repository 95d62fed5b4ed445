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
    int OutputSize { get; }

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
