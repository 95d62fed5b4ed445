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

    internal static void Check<T>(Tensor<T> x, string name) where T : unmanaged, IFloatingPointIeee754<T> =>
        ArgumentNullException.ThrowIfNull(x, name);
}
