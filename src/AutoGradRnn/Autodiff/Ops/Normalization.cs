using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>
    /// Layer normalisation over the last axis (Ba, Kiros &amp; Hinton 2016). Each row x of n features is normalised by its
    /// own statistics, then scaled and shifted by a learned gain and bias (PyTorch's <c>nn.LayerNorm(n)</c>):
    /// <code>
    /// μ = (1/n) Σᵢ xᵢ
    /// σ² = (1/n) Σᵢ (xᵢ − μ)²                 (the biased variance)
    /// x̂ = (x − μ) / √(σ² + ε)
    /// y = gain ⊙ x̂ + bias
    /// </code>
    /// <paramref name="gain"/> and <paramref name="bias"/> are <c>[n]</c>; x may have any rank ≥ 1 (every leading index is a row).
    /// Backward, with d = ∂y ⊙ gain per row:
    /// <code>
    /// ∂x = (d − mean(d) − x̂ ⊙ mean(d ⊙ x̂)) / √(σ² + ε)
    /// ∂gain = Σ_rows ∂y ⊙ x̂
    /// ∂bias = Σ_rows ∂y
    /// </code>
    /// </summary>
    /// <exception cref="ShapeMismatchException">x is a scalar or has an empty last axis, or gain/bias are not <c>[n]</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is not a finite number &gt; 0.</exception>
    public static Tensor<T> LayerNorm<T>(Tensor<T> x, Tensor<T> gain, Tensor<T> bias, double epsilon = 1e-5) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, nameof(x));
        Check(gain, nameof(gain));
        Check(bias, nameof(bias));
        if (x.Rank == 0 || x.Shape.Last == 0)
            throw new ShapeMismatchException("layer_norm", "x needs a non-empty last axis to normalise over", x.Shape);
        int n = x.Shape.Last, rows = x.Count / n;
        if (gain.Shape != new Shape(n) || bias.Shape != new Shape(n))
            throw new ShapeMismatchException("layer_norm", $"gain and bias must be [{n}], the size of x's last axis", x.Shape, gain.Shape, bias.Shape);
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"layer_norm: epsilon {epsilon} must be a finite number > 0");

        T eps = T.CreateTruncating(epsilon), count = T.CreateTruncating(n);
        var normalised = new T[x.Count];       // x̂, kept for the backward rule
        var inverseStd = new T[rows];          // 1 / √(σ² + ε) per row
        var y = new T[x.Count];
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Data.AsSpan(r * n, n);
            var xh = normalised.AsSpan(r * n, n);
            T mean = TensorPrimitives.Sum<T>(xr) / count;                          // μ
            TensorPrimitives.Subtract(xr, mean, xh);                               // x − μ
            T variance = TensorPrimitives.SumOfSquares<T>(xh) / count;             // σ²
            inverseStd[r] = T.One / T.Sqrt(variance + eps);
            TensorPrimitives.Multiply(xh, inverseStd[r], xh);                      // x̂
            TensorPrimitives.FusedMultiplyAdd(xh, gain.Data, bias.Data, y.AsSpan(r * n, n));   // gain ⊙ x̂ + bias
        }
        return Record("layer_norm", new Tensor<T>(y, x.Shape), [x, gain, bias], c =>
        {
            var g = c.Gradient;
            var dGain = c.NeedsGradient(1) ? K.Mul(g, new Tensor<T>(normalised, x.Shape)) : null;   // summed over rows by the tape
            if (!c.NeedsGradient(0)) return [null, dGain, g];                                      // ∂bias = g, likewise
            var dx = new T[x.Count];
            var d = new T[n];
            for (int r = 0; r < rows; r++)
            {
                var xh = normalised.AsSpan(r * n, n);
                TensorPrimitives.Multiply(g.Data.AsSpan(r * n, n), gain.Data, d);  // d = ∂y ⊙ gain
                T meanD = TensorPrimitives.Sum<T>(d) / count;
                T meanDx = TensorPrimitives.Dot<T>(d, xh) / count;
                var dr = dx.AsSpan(r * n, n);
                TensorPrimitives.Multiply(xh, -meanDx, dr);                        // −x̂ ⊙ mean(d ⊙ x̂)
                TensorPrimitives.Add(dr, d, dr);                                   // + d
                TensorPrimitives.Subtract(dr, meanD, dr);                          // − mean(d)
                TensorPrimitives.Multiply(dr, inverseStd[r], dr);                  // / √(σ² + ε)
            }
            return [new Tensor<T>(dx, x.Shape), dGain, g];
        }, OpAttributes.OfScalar(epsilon));
    }
}
