using static System.FormattableString;

namespace AutoGradRnn;

/// <summary>
/// A learning rate as a function of the optimizer step (0-based): constant, step decay, cosine annealing,
/// or linear warm-up into another schedule. Values match PyTorch's <c>StepLR</c> and <c>CosineAnnealingLR</c>.
/// </summary>
public sealed class Schedule
{
    private readonly Func<long, double> rate;

    private Schedule(string description, Func<long, double> rate) { Description = description; this.rate = rate; }

    /// <summary>What the schedule does, e.g. <c>cosine(0.1 → 0.001 over 20 steps)</c>.</summary>
    public string Description { get; }

    /// <summary>The learning rate at optimizer step <paramref name="step"/> (0-based).</summary>
    public double At(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), $"schedule: step {step} is negative");
        return rate(step);
    }

    /// <summary>A constant learning rate.</summary>
    public static Schedule Constant(double learningRate)
    {
        Positive(learningRate, "learning rate");
        return new(Invariant($"constant({learningRate})"), _ => learningRate);
    }

    /// <summary>lr·γ^⌊step/every⌋ (PyTorch <c>StepLR</c>).</summary>
    public static Schedule StepDecay(double learningRate, int every, double gamma)
    {
        Positive(learningRate, "learning rate");
        if (every <= 0) throw new ArgumentOutOfRangeException(nameof(every), $"schedule: step size {every} must be positive");
        Positive(gamma, "gamma");
        return new(Invariant($"step({learningRate}, ×{gamma} every {every})"), s => learningRate * Math.Pow(gamma, s / every));
    }

    /// <summary>η_min + (lr − η_min)(1 + cos(π·step/T))/2 (PyTorch <c>CosineAnnealingLR</c>, periodic beyond T).</summary>
    public static Schedule Cosine(double learningRate, int totalSteps, double minLearningRate = 0)
    {
        Positive(learningRate, "learning rate");
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), $"schedule: total steps {totalSteps} must be positive");
        if (!(minLearningRate >= 0) || minLearningRate > learningRate)
            throw new ArgumentOutOfRangeException(nameof(minLearningRate), $"schedule: minimum learning rate {minLearningRate} must be in [0, {learningRate}]");
        return new(Invariant($"cosine({learningRate} → {minLearningRate} over {totalSteps} steps)"),
            s => minLearningRate + (learningRate - minLearningRate) * (1 + Math.Cos(Math.PI * s / totalSteps)) / 2);
    }

    /// <summary>Linear warm-up: (step+1)/warmupSteps of <paramref name="then"/>'s rate for the first steps, then <paramref name="then"/> unchanged.</summary>
    public static Schedule WarmUp(int warmupSteps, Schedule then)
    {
        ArgumentNullException.ThrowIfNull(then);
        if (warmupSteps <= 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"schedule: warm-up steps {warmupSteps} must be positive");
        return new(Invariant($"warm-up({warmupSteps}) then {then.Description}"), s => s < warmupSteps ? then.At(s) * (s + 1) / warmupSteps : then.At(s));
    }

    /// <summary>A number is a constant schedule.</summary>
    public static implicit operator Schedule(double learningRate) => Constant(learningRate);

    /// <inheritdoc/>
    public override string ToString() => Description;

    private static void Positive(double v, string what)
    {
        if (!double.IsFinite(v) || v <= 0) throw new ArgumentOutOfRangeException(what, $"schedule: {what} {v} must be a finite number > 0");
    }
}
