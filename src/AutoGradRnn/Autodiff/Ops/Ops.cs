using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Differentiable operations. Each op computes its forward value with the SIMD kernels and, when any
/// input is tracked, records itself on that input's tape together with its own backward rule — written
/// right beside the forward, as in micrograd. <c>using static AutoGradRnn.Ops;</c> lets code read like the
/// equations: <c>Sigmoid(MatMul(hx, Wf) + bf)</c>.
/// </summary>
public static partial class Ops
{
    /// <summary>
    /// Defines a new differentiable op (like <c>torch.autograd.Function</c>): <paramref name="value"/> is the
    /// forward result computed from <paramref name="inputs"/>, <paramref name="backward"/> maps the output
    /// gradient to the gradient of input <c>i</c>. Returns <paramref name="value"/> recorded on the inputs'
    /// tape, or untracked when no input is tracked (then <paramref name="backward"/> is never called).
    /// </summary>
    public static Tensor<T> Custom<T>(string name, Tensor<T> value, Tensor<T>[] inputs, BackwardRule<T> backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(backward);
        return Record(name, value.Detach(), inputs, backward);
    }

    internal static Tensor<T> Record<T>(string op, Tensor<T> value, Tensor<T>[] inputs, BackwardRule<T> backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tape<T>? tape = null;
        foreach (var input in inputs)
        {
            if (input.Tape is null) continue;
            if (tape is null) tape = input.Tape;
            else if (tape != input.Tape)
                throw new InvalidOperationException($"{op}: inputs are recorded on two different tapes; Detach() one of them");
        }
        return tape is null || !tape.Recording ? value : tape.Push(op, value, inputs, backward);
    }

    /// <summary>
    /// Records an op with several outputs, each its own tensor with no copy. A one-element "core" node takes the
    /// inputs; every output is a node reading the core, whose backward only hands its gradient over. The tape
    /// reaches the core after all of its outputs (it was recorded first), so <paramref name="backward"/> runs once
    /// per backward pass with the gradient of every output (null for an output no gradient reached) and returns the
    /// gradients of the inputs (null where an input is not tracked).
    /// </summary>
    internal static Tensor<T>[] RecordMany<T>(string op, Tensor<T>[] outputs, Tensor<T>[] inputs, Func<Tensor<T>?[], Tensor<T>?[]> backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var arrived = new Tensor<T>?[outputs.Length];
        Tensor<T>? lastSeed = null;
        Tensor<T>?[]? grads = null;
        var core = Record(op, new Tensor<T>([T.Zero], new Shape(1)), inputs, (g, i) =>
        {
            // Called once per tracked input with the same core gradient: compute on the first call of each pass.
            if (!ReferenceEquals(g, lastSeed) || grads is null)
            {
                var outputGradients = (Tensor<T>?[])arrived.Clone();
                Array.Clear(arrived);
                grads = backward(outputGradients);
                lastSeed = g;
            }
            return grads[i] ?? throw new InvalidOperationException($"{op}: no gradient for tracked input {i}");
        });
        if (!core.IsTracked) return outputs;
        var result = new Tensor<T>[outputs.Length];
        for (int o = 0; o < outputs.Length; o++)
        {
            int index = o;
            result[o] = Record("part", outputs[o], [core], (g, _) =>
            {
                arrived[index] = g;
                return new Tensor<T>([T.Zero], new Shape(1));   // a fresh token each pass, so the core recomputes
            });
        }
        return result;
    }

    internal static void Check<T>(Tensor<T> x, string name) where T : unmanaged, IFloatingPointIeee754<T> =>
        ArgumentNullException.ThrowIfNull(x, name);
}
