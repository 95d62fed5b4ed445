using System.Numerics;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout with its mask given: <c>y = x ⊙ m</c>, where m holds 0 (dropped) or <c>1/(1−p)</c> (kept), as drawn by
    /// <see cref="DropoutMasks.Draw{T}(Shape, double, Rng)"/>; so <c>E[y] = x</c> and evaluation needs no rescaling (it passes no
    /// mask: the identity). The mask is an input, not hidden state: the op is a pure function of (x, m), and the same mask
    /// gives the same result and gradient. It may broadcast against x (e.g. <c>[B, 1, H]</c> against <c>[B, T, H]</c>) but
    /// must not change x's shape. ∂/∂x = g ⊙ m; the mask is a constant (not differentiated), so it must not be tracked.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The mask does not broadcast to x's shape.</exception>
    /// <exception cref="ArgumentException">The mask is tracked on a tape.</exception>
    public static Tensor<T> Dropout<T>(Tensor<T> x, Tensor<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        Check(mask, nameof(mask));
        if (mask.IsTracked) throw new ArgumentException("dropout: the mask is a constant input and must not be tracked (Detach() it)", nameof(mask));
        var y = K.Mul(x, mask);
        if (y.Shape != x.Shape) throw new ShapeMismatchException("dropout", "the mask must broadcast to the shape of x without changing it", x.Shape, mask.Shape);
        return Record("dropout", y, [x], c => [K.Mul(c.Gradient, mask)], OpAttributes.OfData(mask));
    }
}
