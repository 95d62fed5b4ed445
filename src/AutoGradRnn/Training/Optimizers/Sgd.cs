using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay,
/// exactly as PyTorch's <c>torch.optim.SGD</c>:
/// <code>
/// d = g + λ·p
/// b = d                        (first step)
/// b = μ·b + (1 − τ)·d          (later steps)
/// d = d + μ·b  (Nesterov)  or  d = b
/// p = p − lr·d
/// </code>
/// </summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer; every hyperparameter is checked.</summary>
    public Sgd(Schedule learningRate, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0) : base(learningRate)
    {
        Momentum = InRange(momentum, 0, 1, "momentum");
        Dampening = InRange(dampening, 0, 1, "dampening", maxInclusive: true);
        WeightDecay = InRange(weightDecay, 0, double.MaxValue, "weight decay");
        if (nesterov && (momentum == 0 || dampening != 0))
            throw new ArgumentException($"sgd: Nesterov momentum needs momentum > 0 and zero dampening (momentum {momentum}, dampening {dampening})");
        Nesterov = nesterov;
    }

    /// <summary>μ.</summary>
    public double Momentum { get; }
    /// <summary>τ.</summary>
    public double Dampening { get; }
    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; }
    /// <summary>λ (L2 penalty added to the gradient).</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override string[] SlotNames => Momentum > 0 ? ["momentum_buffer"] : [];

    /// <inheritdoc/>
    protected override void UpdateLeaf(T[] p, ReadOnlySpan<T> g, T[][] slots, double learningRate, long step)
    {
        T lr = T.CreateTruncating(learningRate), mu = T.CreateTruncating(Momentum), wd = T.CreateTruncating(WeightDecay);
        T keep = T.One - T.CreateTruncating(Dampening);
        for (int j = 0; j < p.Length; j++)
        {
            T d = g[j] + wd * p[j];
            if (Momentum > 0)
            {
                var buf = slots[0];
                buf[j] = step == 1 ? d : mu * buf[j] + keep * d;
                d = Nesterov ? d + mu * buf[j] : buf[j];
            }
            p[j] -= lr * d;
        }
    }
}
