using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) as PyTorch's <c>torch.optim.Adam</c>, with L2 weight decay added to the gradient:
/// <code>
/// g = g + λ·p
/// m = β₁·m + (1 − β₁)·g
/// v = β₂·v + (1 − β₂)·g²
/// p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// </summary>
public class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer; every hyperparameter is checked.</summary>
    public Adam(Schedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0) : base(learningRate)
    {
        Beta1 = InRange(beta1, 0, 1, "beta1");
        Beta2 = InRange(beta2, 0, 1, "beta2");
        Eps = eps > 0 && double.IsFinite(eps) ? eps : throw new ArgumentOutOfRangeException(nameof(eps), $"eps {eps} must be a finite number > 0");
        WeightDecay = InRange(weightDecay, 0, double.MaxValue, "weight decay");
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }
    /// <summary>β₂.</summary>
    public double Beta2 { get; }
    /// <summary>ε.</summary>
    public double Eps { get; }
    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <summary>True for AdamW's decoupled weight decay.</summary>
    protected virtual bool Decoupled => false;

    /// <inheritdoc/>
    protected override string[] SlotNames => ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc/>
    protected override void UpdateLeaf(T[] p, ReadOnlySpan<T> g, T[][] slots, double learningRate, long step)
    {
        var (m, v) = (slots[0], slots[1]);
        T b1 = T.CreateTruncating(Beta1), b2 = T.CreateTruncating(Beta2), eps = T.CreateTruncating(Eps), wd = T.CreateTruncating(WeightDecay);
        T stepSize = T.CreateTruncating(learningRate / (1 - Math.Pow(Beta1, step)));
        T sqrtBias2 = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(Beta2, step)));
        T decay = T.One - T.CreateTruncating(learningRate * WeightDecay);
        bool decoupled = Decoupled;
        int j = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            // The scalar formula lane by lane, in the same order (no contraction into FMAs), so both loops give the same bits.
            var (vb1, vb2, v1b1, v1b2) = (new Vector<T>(b1), new Vector<T>(b2), new Vector<T>(T.One - b1), new Vector<T>(T.One - b2));
            var (vEps, vWd, vStep, vBias2, vDecay) = (new Vector<T>(eps), new Vector<T>(wd), new Vector<T>(stepSize), new Vector<T>(sqrtBias2), new Vector<T>(decay));
            for (; j + Vector<T>.Count <= p.Length; j += Vector<T>.Count)
            {
                var pj = new Vector<T>(p, j);
                var grad = new Vector<T>(g[j..]);
                if (decoupled) pj *= vDecay;
                else grad += vWd * pj;
                var mj = vb1 * new Vector<T>(m, j) + v1b1 * grad;
                var vj = vb2 * new Vector<T>(v, j) + v1b2 * grad * grad;
                mj.CopyTo(m, j);
                vj.CopyTo(v, j);
                (pj - vStep * mj / (Vector.SquareRoot(vj) / vBias2 + vEps)).CopyTo(p, j);
            }
        }
        for (; j < p.Length; j++)
        {
            T grad = g[j];
            if (decoupled) p[j] *= decay;             // AdamW: p = p·(1 − lr·λ)
            else grad += wd * p[j];                   // Adam: L2 penalty in the gradient
            m[j] = b1 * m[j] + (T.One - b1) * grad;
            v[j] = b2 * v[j] + (T.One - b2) * grad * grad;
            p[j] -= stepSize * m[j] / (T.Sqrt(v[j]) / sqrtBias2 + eps);
        }
    }
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) as <c>torch.optim.AdamW</c>: Adam without the L2 term, and the
/// weights decayed directly, p = p·(1 − lr·λ), before the Adam step.
/// </summary>
public sealed class AdamW<T> : Adam<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer (PyTorch's default weight decay 0.01).</summary>
    public AdamW(Schedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
        : base(learningRate, beta1, beta2, eps, weightDecay) { }

    /// <inheritdoc/>
    protected override bool Decoupled => true;
}
