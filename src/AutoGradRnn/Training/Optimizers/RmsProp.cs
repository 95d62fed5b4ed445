using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// RMSProp (Tieleman &amp; Hinton 2012) as <c>torch.optim.RMSprop</c>:
/// <code>
/// g = g + λ·p
/// v = α·v + (1 − α)·g²
/// a = √v + ε                   (centered: ḡ = α·ḡ + (1 − α)·g,  a = √(v − ḡ²) + ε)
/// b = μ·b + g/a, p = p − lr·b  (with momentum μ)   or   p = p − lr·g/a
/// </code>
/// </summary>
public sealed class RmsProp<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer; every hyperparameter is checked.</summary>
    public RmsProp(Schedule learningRate, double alpha = 0.99, double eps = 1e-8, double momentum = 0, bool centered = false, double weightDecay = 0) : base(learningRate)
    {
        Alpha = InRange(alpha, 0, 1, "alpha");
        Eps = eps > 0 && double.IsFinite(eps) ? eps : throw new ArgumentOutOfRangeException(nameof(eps), $"eps {eps} must be a finite number > 0");
        Momentum = InRange(momentum, 0, 1, "momentum");
        Centered = centered;
        WeightDecay = InRange(weightDecay, 0, double.MaxValue, "weight decay");
    }

    /// <summary>α, the decay of the squared-gradient average.</summary>
    public double Alpha { get; }
    /// <summary>ε.</summary>
    public double Eps { get; }
    /// <summary>μ.</summary>
    public double Momentum { get; }
    /// <summary>Normalise by the variance instead of the second moment.</summary>
    public bool Centered { get; }
    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override string[] SlotNames =>
        [.. new[] { "square_avg" }.Concat(Momentum > 0 ? ["momentum_buffer"] : []).Concat(Centered ? ["grad_avg"] : [])];

    /// <inheritdoc/>
    protected override void UpdateLeaf(T[] p, ReadOnlySpan<T> g, T[][] slots, double learningRate, long step)
    {
        var v = slots[0];
        T a = T.CreateTruncating(Alpha), eps = T.CreateTruncating(Eps), mu = T.CreateTruncating(Momentum);
        T lr = T.CreateTruncating(learningRate), wd = T.CreateTruncating(WeightDecay);
        int next = 1;
        var buf = Momentum > 0 ? slots[next++] : [];
        var gAvg = Centered ? slots[next] : [];
        for (int j = 0; j < p.Length; j++)
        {
            T grad = g[j] + wd * p[j];
            v[j] = a * v[j] + (T.One - a) * grad * grad;
            T avg;
            if (Centered)
            {
                gAvg[j] = a * gAvg[j] + (T.One - a) * grad;
                avg = T.Sqrt(v[j] - gAvg[j] * gAvg[j]) + eps;
            }
            else avg = T.Sqrt(v[j]) + eps;
            if (Momentum > 0)
            {
                buf[j] = mu * buf[j] + grad / avg;
                p[j] -= lr * buf[j];
            }
            else p[j] -= lr * grad / avg;
        }
    }
}
