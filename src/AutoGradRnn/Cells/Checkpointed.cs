using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

public static partial class Sequence
{
    /// <summary>
    /// Unrolls like <see cref="Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/>, but for long sequences:
    /// the forward pass keeps only the state at every <paramref name="every"/>-th step (plus the outputs) and the
    /// backward pass recomputes one segment of <paramref name="every"/> steps at a time from its saved state, then
    /// backpropagates through it. Memory for the backward pass is O(T/k + k) states instead of O(T) steps of
    /// activations, for about one extra forward pass. The gradients equal the normal mode's (tested).
    /// </summary>
    /// <param name="cell">Any cell (fused kernels are used inside each segment where they apply).</param>
    /// <param name="inputs"><c>[B, T, D]</c>.</param>
    /// <param name="initialState">The state before the first step.</param>
    /// <param name="every">Segment length k (≥ 1); about √T balances the two terms.</param>
    /// <param name="mask">Optional <c>[B, T]</c> mask (1 = real step), as in <see cref="Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState, Tensor{T})"/>; it must not be tracked.</param>
    public static SequenceResult<TState, T> UnrollCheckpointed<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, int every, Tensor<T>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(initialState);
        CheckInputs(cell, inputs);
        CheckForeignState(cell, inputs, initialState);
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), $"checkpointed unroll: segment length {every} must be at least 1");
        int batch = inputs.Shape[0], steps = inputs.Shape[1];
        if (mask is not null)
        {
            if (mask.Shape != new Shape(batch, steps))
                throw new ShapeMismatchException("unroll (checkpointed)", $"the mask must be [batch, time] = [{batch},{steps}] for these inputs", mask.Shape, inputs.Shape);
            if (mask.IsTracked) throw new ArgumentException("checkpointed unroll: the mask must not be tracked (Detach() it)", nameof(mask));
        }

        // Forward without recording anything; keep the state at each segment start.
        var cellD = ParameterTree<T>.Map(cell, t => t.Detach());
        var x = inputs.Detach();
        var state = ParameterTree<T>.Map(initialState, t => t.Detach());
        var starts = new List<(int Start, int Length, TState State)>();
        var outputs = new List<Tensor<T>>();
        for (int s0 = 0; s0 < steps; s0 += every)
        {
            int len = Math.Min(every, steps - s0);
            starts.Add((s0, len, state));
            var r = RunSegment(cellD, x, state, mask, s0, len);
            outputs.Add(r.Outputs);
            state = r.Final;
        }
        var allOutputs = outputs.Count == 1 ? outputs[0] : Concat([.. outputs], 1);
        var finalLeaves = ParameterTree<T>.Leaves(state!);

        // One op: inputs x, the initial state's leaves and the cell's leaves; outputs the outputs and the final state's leaves.
        var stateLeaves = ParameterTree<T>.Leaves(initialState);
        var paramLeaves = ParameterTree<T>.Leaves(cell);
        var nodeInputs = new List<Tensor<T>> { inputs };
        nodeInputs.AddRange(stateLeaves);
        nodeInputs.AddRange(paramLeaves);
        var recorded = RecordMany("unroll (checkpointed)", [allOutputs, .. finalLeaves], [.. nodeInputs],
            g => Recompute(cellD, x, mask, starts, g, allOutputs.Shape, finalLeaves, stateLeaves.Count, paramLeaves.Count));
        return new SequenceResult<TState, T>(recorded[0], ParameterTree<T>.Unflatten(state, recorded[1..]));
    }

    private static SequenceResult<TState, T> RunSegment<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> x, TState state, Tensor<T>? mask, int start, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = length == x.Shape[1] ? x : Slice(x, start, length, 1);
        if (mask is null) return Unroll(cell, xs, state);
        var ms = length == mask.Shape[1] ? mask : Slice(mask.Detach(), start, length, 1);
        return Unroll(cell, xs, state, ms);
    }

    /// <summary>The backward pass: segments in reverse, each recomputed on its own tape from its saved state and differentiated.</summary>
    private static Tensor<T>?[] Recompute<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> x, Tensor<T>? mask,
        List<(int Start, int Length, TState State)> starts, Tensor<T>?[] g, Shape outputShape, IReadOnlyList<Tensor<T>> finalLeaves, int stateCount, int paramCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = x.Shape[0], steps = x.Shape[1], d = x.Shape[2];
        // g holds the gradient of the outputs, then of each final-state leaf (null where none arrived).
        var gOut = g[0] ?? Tensor.Zeros<T>(outputShape);
        var carried = finalLeaves.Select((leaf, i) => g[1 + i] ?? Tensor.Zeros<T>(leaf.Shape)).ToList();
        var dx = new T[x.Count];
        Tensor<T>[]? dParams = null;
        for (int s = starts.Count - 1; s >= 0; s--)
        {
            var (start, length, state) = starts[s];
            var tape = new Tape<T>();
            var cellT = ParameterTree<T>.Map(cell, tape.Track);
            var stateT = ParameterTree<T>.Map(state, tape.Track);
            var xs = tape.Track(length == steps ? x : Slice(x, start, length, 1));
            var r = RunSegment(cellT, xs, stateT, mask, start, length);
            // ⟨seed, f(segment)⟩: its gradient is exactly the vector–Jacobian product the chain rule needs.
            var gSeg = length == steps ? gOut : Slice(gOut, start, length, 1);
            var loss = Sum(r.Outputs * gSeg);
            var leaves = ParameterTree<T>.Leaves(r.Final!);
            for (int i = 0; i < leaves.Count; i++) loss += Sum(leaves[i] * carried[i]);
            var grads = tape.Backward(loss);
            var pg = ParameterTree<T>.Leaves(cellT).Select(p => grads[p]).ToArray();
            dParams = dParams is null ? pg : dParams.Zip(pg, K.Add).ToArray();
            carried = ParameterTree<T>.Leaves(stateT!).Select(p => grads[p]).ToList();
            var gx = grads[xs];
            for (int b = 0; b < batch; b++)
                gx.AsSpan().Slice(b * length * d, length * d).CopyTo(dx.AsSpan((b * steps + start) * d, length * d));
        }
        var result = new Tensor<T>?[1 + stateCount + paramCount];
        result[0] = new Tensor<T>(dx, x.Shape);
        for (int i = 0; i < stateCount; i++) result[1 + i] = carried[i];
        for (int i = 0; i < paramCount; i++) result[1 + stateCount + i] = dParams![i];
        return result;
    }
}
