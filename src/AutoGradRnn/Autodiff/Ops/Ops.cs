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
    /// forward result computed from <paramref name="inputs"/>; <paramref name="backward"/> maps the output gradient
    /// (<see cref="BackwardContext{T}.Gradient"/>) to the gradients of all inputs, once per backward pass, e.g.
    /// <c>c =&gt; [c.Gradient * b, c.Gradient * a]</c> for a product a⊙b. Returns <paramref name="value"/> recorded on
    /// the inputs' tape, or untracked when no input is tracked (then <paramref name="backward"/> is never called).
    /// </summary>
    public static Tensor<T> Custom<T>(string name, Tensor<T> value, Tensor<T>[] inputs, BackwardRule<T> backward)
        where T : unmanaged, IFloatingPointIeee754<T> => CustomMany(name, [value], inputs, backward)[0];

    /// <summary>
    /// Like <see cref="Custom{T}"/> for an op with several outputs, recorded as one node: <paramref name="backward"/>
    /// runs once per backward pass with every output's gradient (<see cref="BackwardContext{T}.OutputGradients"/>, null
    /// for an output no gradient reached) and returns the gradients of all inputs. Returns the values, each recorded
    /// (or untracked when no input is tracked).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static Tensor<T>[] CustomMany<T>(string name, Tensor<T>[] values, Tensor<T>[] inputs, BackwardRule<T> backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(backward);
        if (values.Length == 0) throw new ArgumentException($"{name}: an op needs at least one output", nameof(values));
        foreach (var value in values) ArgumentNullException.ThrowIfNull(value);
        return Record(name, [.. values.Select(v => v.Detach())], inputs, backward);
    }

    /// <summary>Records a one-output op with its <paramref name="attributes"/> (what its forward needs besides its inputs).</summary>
    internal static Tensor<T> Record<T>(string op, Tensor<T> value, Tensor<T>[] inputs, BackwardRule<T> backward, OpAttributes attributes = default)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        TapeOf(op, inputs) is { } tape ? tape.Push(op, [value], inputs, backward, attributes)[0] : value;

    /// <summary>Records an op with several outputs, each its own tensor with no copy, as one node with one rule.</summary>
    internal static Tensor<T>[] Record<T>(string op, Tensor<T>[] outputs, Tensor<T>[] inputs, BackwardRule<T> backward)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        TapeOf(op, inputs) is { } tape ? [.. tape.Push(op, outputs, inputs, backward)] : outputs;

    /// <summary>
    /// <see cref="Record{T}(string, Tensor{T}[], Tensor{T}[], BackwardRule{T})"/> with a rule that sees only the output
    /// gradients (null for an output no gradient reached) and returns the input gradients.
    /// </summary>
    internal static Tensor<T>[] RecordMany<T>(string op, Tensor<T>[] outputs, Tensor<T>[] inputs, Func<Tensor<T>?[], Tensor<T>?[]> backward)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Record(op, outputs, inputs, c => backward(c.OutputGradients.ToArray()));

    /// <summary>The tape the op records on: its inputs' (one at most), unless none is tracked or a backward pass runs.</summary>
    private static Tape<T>? TapeOf<T>(string op, Tensor<T>[] inputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tape<T>? tape = null;
        foreach (var input in inputs)
        {
            if (input.Tape is null) continue;
            if (tape is null) tape = input.Tape;
            else if (tape != input.Tape)
                throw new InvalidOperationException($"{op}: inputs are recorded on two different tapes; Detach() one of them");
        }
        return tape is { Recording: true } ? tape : null;
    }

    internal static void Check<T>(Tensor<T> x, string name) where T : unmanaged, IFloatingPointIeee754<T> =>
        ArgumentNullException.ThrowIfNull(x, name);
}
