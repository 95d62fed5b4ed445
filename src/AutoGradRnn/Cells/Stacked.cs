using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Cells stacked into layers: layer l reads layer l−1's output h_t at the same time step. The state is
/// one state per layer. Itself a cell, so it unrolls, masks and differentiates like any other.
/// </summary>
public sealed record Stacked<TState, T>(IRecurrentCell<TState, T>[] Layers) : IRecurrentCell<TState[], T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Stacks <paramref name="layers"/>, checking that each layer's input size is the previous layer's hidden size.</summary>
    public static Stacked<TState, T> Of(params IRecurrentCell<TState, T>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0) throw new ArgumentException("stacked: at least one layer is needed", nameof(layers));
        for (int l = 1; l < layers.Length; l++)
            if (layers[l].InputSize != layers[l - 1].HiddenSize)
                throw new ArgumentException($"stacked: layer {l} reads {layers[l].InputSize} features but layer {l - 1} outputs {layers[l - 1].HiddenSize}", nameof(layers));
        return new Stacked<TState, T>(layers);
    }

    /// <inheritdoc/>
    public int InputSize => Layers[0].InputSize;

    /// <inheritdoc/>
    public int HiddenSize => Layers[^1].HiddenSize;

    /// <inheritdoc/>
    public TState[] InitialState(int batchSize) => Layers.Select(l => l.InitialState(batchSize)).ToArray();

    /// <inheritdoc/>
    public TState[] Step(TState[] state, Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != Layers.Length)
            throw new ArgumentException($"stacked: {state.Length} layer states given for {Layers.Length} layers", nameof(state));
        var next = new TState[Layers.Length];
        var x = input;
        for (int l = 0; l < Layers.Length; l++)
        {
            next[l] = Layers[l].Step(state[l], x);
            x = Layers[l].Output(next[l]);
        }
        return next;
    }

    /// <inheritdoc/>
    public Tensor<T> Output(TState[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Layers[^1].Output(state[^1]);
    }
}
