using System.Numerics;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>
    /// 1 − x, elementwise: the complement of a gate, as in a GRU's <c>(1 − z) * h + z * h̃</c> or a coupled LSTM's input gate
    /// <c>1 − f</c>. The same as <c>T.One - x</c>, named so that code generic over the element type (F# in particular,
    /// where <c>'T.One</c> needs the full constraint set in scope) need not spell the constant.
    /// </summary>
    public static Tensor<T> OneMinus<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Subtract(T.One, x);
}
