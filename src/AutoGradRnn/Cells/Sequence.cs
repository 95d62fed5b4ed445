using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>A cell unrolled over a sequence: every output <c>[B, T, H]</c> and the final state.</summary>
public sealed record SequenceResult<TState, T>(Tensor<T> Outputs, TState Final) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Unrolling cells over time: the loop of the essay's first diagram, drawn out as a chain. Inputs are
/// batch-major <c>[B, T, D]</c>. An optional mask <c>[B, T]</c> (1 = real step, 0 = padding) handles
/// variable-length sequences in one batch: a padded step leaves the state unchanged, outputs zeros and
/// contributes no gradient, so the final state of each sequence is the state after its last real step.
/// </summary>
public static class Sequence
{
    /// <summary>JAX's <c>lax.scan</c>: folds <paramref name="step"/> over <paramref name="inputs"/>, returning every intermediate state (after each input) in order.</summary>
    public static IReadOnlyList<TState> Scan<TState, TInput>(Func<TState, TInput, TState> step, TState initial, IEnumerable<TInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(inputs);
        var states = new List<TState>();
        var state = initial;
        foreach (var x in inputs) states.Add(state = step(state, x));
        return states;
    }

    /// <summary>Unrolls <paramref name="cell"/> from the zero state (many-to-many: <see cref="SequenceResult{TState, T}.Outputs"/>; many-to-one: its <see cref="SequenceResult{TState, T}.Final"/>).</summary>
    public static SequenceResult<TState, T> Unroll<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        CheckInputs(cell, inputs);
        return Unroll(cell, inputs, cell.InitialState(inputs.Shape[0]));
    }

    /// <summary>Unrolls <paramref name="cell"/> from <paramref name="initialState"/> (e.g. a state carried over from the previous batch).</summary>
    public static SequenceResult<TState, T> Unroll<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(cell, inputs, initialState, null, (s, x) => (cell.Step(s, x), 0)).Result;

    /// <summary>Unrolls <paramref name="cell"/> over padded sequences; <paramref name="mask"/> is <c>[B, T]</c> with 1 for real steps, 0 for padding.</summary>
    public static SequenceResult<TState, T> Unroll<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Tensor<T> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(mask);
        return Run(cell, inputs, initialState, mask, (s, x) => (cell.Step(s, x), 0)).Result;
    }

    /// <summary>Unrolls a gated cell and also returns the gate activations of every step (for plots), computed by the same step code.</summary>
    public static (SequenceResult<TState, T> Result, IReadOnlyList<TGates> Gates) UnrollWithGates<TState, TGates, T>(
        IGatedCell<TState, TGates, T> cell, Tensor<T> inputs, TState initialState)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(cell, inputs, initialState, null, cell.StepWithGates);

    /// <summary>Many-to-one: the output h of the final state (per sequence, its last real step when masked).</summary>
    public static Tensor<T> Last<TState, T>(IRecurrentCell<TState, T> cell, SequenceResult<TState, T> result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(result);
        return cell.Output(result.Final);
    }

    /// <summary>A <c>[B, T]</c> mask with 1 for the first <c>lengths[b]</c> steps of sequence b and 0 after.</summary>
    public static Tensor<T> MaskFromLengths<T>(int[] lengths, int steps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var data = new T[lengths.Length * steps];
        for (int b = 0; b < lengths.Length; b++)
        {
            if (lengths[b] < 0 || lengths[b] > steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"mask: length {lengths[b]} of sequence {b} is outside [0, {steps}]");
            for (int t = 0; t < lengths[b]; t++) data[b * steps + t] = T.One;
        }
        return Tensor.FromArray(data, lengths.Length, steps);
    }

    /// <summary>The sequence with its time axis (axis 1) reversed.</summary>
    public static Tensor<T> ReverseTime<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Stack(Unstack(x, 1).Reverse().ToArray(), 1);

    private static (SequenceResult<TState, T> Result, IReadOnlyList<TGates> Gates) Run<TState, TGates, T>(
        IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Tensor<T>? mask, Func<TState, Tensor<T>, (TState, TGates)> step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(initialState);
        CheckInputs(cell, inputs);
        int batch = inputs.Shape[0], steps = inputs.Shape[1];
        if (mask is not null && mask.Shape != new Shape(batch, steps))
            throw new ShapeMismatchException("unroll", $"the mask must be [batch, time] = [{batch},{steps}] for these inputs", mask.Shape, inputs.Shape);
        var masks = mask is null ? null : Unstack(Reshape(mask, batch, steps, 1), 1);   // [B,1] per step, broadcasts over H
        var state = initialState;
        var outputs = new Tensor<T>[steps];
        var gates = new List<TGates>(steps);
        var xs = Unstack(inputs, 1);
        for (int t = 0; t < steps; t++)
        {
            var (next, g) = step(state, xs[t]);
            gates.Add(g);
            if (masks is null) state = next;
            else
            {
                var m = masks[t];
                // state_t = m·next + (1 − m)·state_{t-1}: padding keeps the state and passes no gradient to the step.
                state = ParameterTree<T>.Map2(next, state, (n, s) => m * n + (T.One - m) * s);
            }
            outputs[t] = masks is null ? cell.Output(state) : cell.Output(state) * masks[t];
        }
        return (new SequenceResult<TState, T>(Stack(outputs, 1), state), gates);
    }

    private static void CheckInputs<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank != 3 || inputs.Shape[2] != cell.InputSize)
            throw new ShapeMismatchException("unroll", $"inputs must be [batch, time, {cell.InputSize}]", inputs.Shape);
        if (inputs.Shape[0] == 0) throw new ShapeMismatchException("unroll", "the batch is empty", inputs.Shape);
        if (inputs.Shape[1] == 0) throw new ShapeMismatchException("unroll", "the sequence has no time steps", inputs.Shape);
    }
}
