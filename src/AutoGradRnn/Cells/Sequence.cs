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
public static partial class Sequence
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
    /// <remarks>
    /// For <see cref="Lstm{T}"/>, <see cref="CoupledLstm{T}"/>, <see cref="Rnn{T}"/>, <see cref="Gru{T}"/>,
    /// <see cref="GruResetAfter{T}"/>, <see cref="PeepholeLstm{T}"/> in its diagonal form (P vectors <c>[H]</c>) and
    /// <see cref="LayerNormLstm{T}"/> this runs the fused kernel: the whole sequence is one tape node with a
    /// hand-derived backward pass, tested equal (values and gradients) to the per-equation steps. A
    /// <see cref="Stacked{TState, T}"/> runs layer by layer (layer l reads all of layer l−1's outputs), each layer through
    /// its own kernel where it has one: the same function as stepping the whole stack, tested equal. Every other
    /// cell (the full-matrix peephole LSTM included), and
    /// <see cref="UnrollComposed{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/>, runs the cell's own
    /// <see cref="IRecurrentCell{TState, T}.Step"/> once per time step. The path taken, and why (e.g. the kernel's name, or
    /// "the mask is tracked on a tape; Detach() it to run fused", or a weight the kernel would read with another shape), is
    /// recorded in any open <see cref="UnrollTrace"/> and, when the unroll records on a tape, as a note on it
    /// (<see cref="Tape{T}.Annotations"/>, e.g. <c>Lstm: per-step (no fused kernel for …)</c>, placed before the unroll's first node);
    /// <see cref="Paths{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState, Tensor{T})"/> tells it in advance.
    /// </remarks>
    public static SequenceResult<TState, T> Unroll<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        UnrollLabelled(cell, inputs, initialState, null, null);

    /// <summary>Unrolls <paramref name="cell"/> over padded sequences; <paramref name="mask"/> is <c>[B, T]</c> with 1 for real steps, 0 for padding.</summary>
    /// <remarks>The fused kernels take masks of exact 0s and 1s that are not tracked; any other mask runs the per-step path (with its reason in an open <see cref="UnrollTrace"/> and on the tape's <see cref="Tape{T}.Annotations"/>).</remarks>
    public static SequenceResult<TState, T> Unroll<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Tensor<T> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(mask);
        return UnrollLabelled(cell, inputs, initialState, mask, null);
    }

    /// <summary>
    /// Unrolls <paramref name="cell"/> from the zero state over padded sequences; <paramref name="mask"/> is <c>[B, T]</c>
    /// with 1 for real steps, 0 for padding. The same as passing <c>cell.InitialState(B)</c> to
    /// <see cref="Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState, Tensor{T})"/>.
    /// </summary>
    /// <remarks>
    /// A name of its own rather than an <c>Unroll(cell, inputs, mask)</c> overload: for a cell whose state is itself a
    /// tensor that call could not be told from <c>Unroll(cell, inputs, initialState)</c>, and F# would have to guess.
    /// </remarks>
    public static SequenceResult<TState, T> UnrollMasked<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, Tensor<T> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(mask);
        CheckInputs(cell, inputs);
        return Unroll(cell, inputs, cell.InitialState(inputs.Shape[0]), mask);
    }

    /// <summary>
    /// Unrolls by calling the cell's per-equation <see cref="IRecurrentCell{TState, T}.Step"/> at every time step
    /// (one tape node per equation), never the fused kernel: the readable reference the fused kernels are tested against.
    /// </summary>
    public static SequenceResult<TState, T> UnrollComposed<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(cell, inputs, initialState, null, (s, x) => (cell.Step(s, x), 0)).Result;

    /// <summary>The per-step reference path over padded sequences (see <see cref="UnrollComposed{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/>).</summary>
    public static SequenceResult<TState, T> UnrollComposed<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Tensor<T> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(mask);
        return Run(cell, inputs, initialState, mask, (s, x) => (cell.Step(s, x), 0)).Result;
    }

    /// <summary>
    /// The path <see cref="Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState, Tensor{T})"/> would take for these
    /// arguments, without running it: one entry per layer of a <see cref="Stacked{TState, T}"/>, else one. Pass a null
    /// <paramref name="mask"/> for an unmasked unroll.
    /// </summary>
    public static IReadOnlyList<UnrollPath> Paths<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Tensor<T>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(inputs);
        CellChecks.Parameters<T>(CellName(cell), cell);
        if (cell is ILayeredCell<TState, T> layered && layered.LayerPaths(inputs, initialState, mask) is { } paths) return paths;
        return [Choose(cell, inputs, initialState, mask, null).Path ?? new UnrollPath(CellName(cell), false, "the arguments do not fit the cell; unrolling reports what is wrong")];
    }

    /// <summary>Unroll with the name the path is recorded under (a stack's layers are named after their position).</summary>
    internal static SequenceResult<TState, T> UnrollLabelled<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Tensor<T>? mask, string? label)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        CellChecks.Parameters<T>(CellName(cell), cell);
        if (cell is ILayeredCell<TState, T> layered && layered.UnrollLayers(inputs, initialState, mask) is { } byLayer) return byLayer;
        var (kernel, path) = Choose(cell, inputs, initialState, mask, label);
        if (path is not null)
        {
            UnrollTrace.Record(path);
            if (TapeOf(cell, inputs, initialState, mask) is { Recording: true } tape) tape.Annotate(path.ToString());
        }
        if (kernel is not null) return RunFused(kernel, inputs, initialState, mask);
        return mask is null ? UnrollComposed(cell, inputs, initialState) : UnrollComposed(cell, inputs, initialState, mask);
    }

    /// <summary>The tape the unroll will record on: that of its first tracked input, state leaf, mask or parameter (null: nothing is tracked).</summary>
    private static Tape<T>? TapeOf<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Tensor<T>? mask)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        inputs?.Tape ?? mask?.Tape
        ?? (initialState is null ? null : ParameterTree<T>.Leaves(initialState).FirstOrDefault(l => l.IsTracked)?.Tape)
        ?? ParameterTree<T>.Leaves(cell).FirstOrDefault(l => l.IsTracked)?.Tape;

    /// <summary>
    /// The decision, made explicitly for every precondition: the fused kernel for a cell type that has one, with the
    /// weight shapes the kernel reads and an untracked mask of exact 0s and 1s; otherwise null and the reason (recorded in
    /// any open <see cref="UnrollTrace"/> and on the tape), or null without a reason for arguments the per-step path
    /// rejects with an error naming the problem (inputs, mask or state of the wrong shape).
    /// </summary>
    private static (FusedCellKernel<T>? Kernel, UnrollPath? Path) Choose<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Tensor<T>? mask, string? label)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (cell is null || inputs is null || initialState is null) return (null, null);
        if (inputs.Rank != 3 || inputs.Shape[2] != cell.InputSize || inputs.Shape[0] == 0 || inputs.Shape[1] == 0) return (null, null);
        int batch = inputs.Shape[0], steps = inputs.Shape[1];
        if (mask is not null && mask.Shape != new Shape(batch, steps)) return (null, null);
        string name = label ?? CellName(cell);
        (FusedCellKernel<T>?, UnrollPath) PerStep(string why) => (null, new UnrollPath(name, false, why));
        if (mask is not null)
        {
            if (mask.IsTracked) return PerStep(FusedKernels.TrackedMask);
            foreach (var v in mask.AsSpan()) if (v != T.Zero && v != T.One) return PerStep(FusedKernels.FractionalMask);
        }
        if (FusedKernels.Create(cell) is var (kernel, why) && kernel is null) return PerStep(why!);
        var state = new Shape(batch, kernel!.H);
        bool stateFits = kernel.HasC
            ? (object)initialState is LstmState<T> ls && ls.H?.Shape == state && ls.C?.Shape == state
            : (object)initialState is RnnState<T> rs && rs.H?.Shape == state;
        if (!stateFits) return (null, null);   // the per-step path reports the wrong state
        return (kernel, new UnrollPath(name, true, kernel.Name));
    }

    private static SequenceResult<TState, T> RunFused<TState, T>(FusedCellKernel<T> kernel, Tensor<T> inputs, TState initialState, Tensor<T>? mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        object final;
        if (kernel.HasC)
        {
            var ls = (LstmState<T>)(object)initialState!;
            var (outputs, hT, cT) = FusedRecurrence.Run(kernel, inputs, ls.H, ls.C, mask?.Data);
            final = new SequenceResult<LstmState<T>, T>(outputs, new LstmState<T>(hT, cT!));
        }
        else
        {
            var (outputs, hT, _) = FusedRecurrence.Run(kernel, inputs, ((RnnState<T>)(object)initialState!).H, null, mask?.Data);
            final = new SequenceResult<RnnState<T>, T>(outputs, new RnnState<T>(hT));
        }
        return (SequenceResult<TState, T>)final;
    }

    /// <summary>A cell's type name without its generic arity (<c>Lstm</c>, <c>Stacked</c>).</summary>
    internal static string CellName(object cell)
    {
        var n = cell.GetType().Name;
        int tick = n.IndexOf('`');
        return tick < 0 ? n : n[..tick];
    }

    /// <summary>Unrolls a gated cell and also returns the gate activations of every step (for plots), computed by the same step code.</summary>
    public static (SequenceResult<TState, T> Result, IReadOnlyList<TGates> Gates) UnrollWithGates<TState, TGates, T>(
        IGatedCell<TState, TGates, T> cell, Tensor<T> inputs, TState initialState)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        return Run(cell, inputs, initialState, null, cell.StepWithGates);
    }

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
        CheckForeignState(cell, inputs, initialState);
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

    /// <summary>
    /// A cell from outside the library is held to the state check the library's own cells make in every step (so a
    /// state leaf of the wrong batch is refused, not broadcast): its initial state must be shaped like its zero state.
    /// </summary>
    private static void CheckForeignState<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (cell.GetType().Assembly == typeof(Sequence).Assembly) return;
        CellChecks.State<T>(CellName(cell), initialState!, cell.InitialState(inputs.Shape[0])!, new Shape(inputs.Shape[0], inputs.Shape[2]));
    }

    private static void CheckInputs<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CellChecks.Parameters<T>(CellName(cell), cell);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank != 3 || inputs.Shape[2] != cell.InputSize)
            throw new ShapeMismatchException("unroll", $"inputs must be [batch, time, {cell.InputSize}]", inputs.Shape);
        if (inputs.Shape[0] == 0) throw new ShapeMismatchException("unroll", "the batch is empty", inputs.Shape);
        if (inputs.Shape[1] == 0) throw new ShapeMismatchException("unroll", "the sequence has no time steps", inputs.Shape);
    }
}
