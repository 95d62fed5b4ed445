using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// An optimizer's state: the step count and, per slot (e.g. Adam's <c>exp_avg</c>, <c>exp_avg_sq</c> — PyTorch's
/// names), one tensor per parameter leaf in <see cref="ParameterTree{T}"/> order. Immutable: an update returns
/// a new state.
/// </summary>
public sealed record OptimizerState<T>(long Step, IReadOnlyList<string> SlotNames, IReadOnlyList<IReadOnlyList<Tensor<T>>> Slots)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The slot named <paramref name="name"/> (one tensor per parameter leaf).</summary>
    public IReadOnlyList<Tensor<T>> Slot(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int i = SlotNames.ToList().IndexOf(name);
        return i >= 0 ? Slots[i] : throw new KeyNotFoundException($"optimizer state has no slot '{name}' (slots: {string.Join(", ", SlotNames)})");
    }
}

/// <summary>
/// An optimizer as a pure state transition <c>(params, grads, state) → (params′, state′)</c>, working on any
/// parameter tree. Nothing is mutated, so optimizers compose with immutable parameter records.
/// </summary>
public interface IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The learning-rate schedule.</summary>
    Schedule LearningRate { get; }

    /// <summary>The state before the first step (zeroed slots shaped like the parameters).</summary>
    OptimizerState<T> Init<TParams>(TParams parameters);

    /// <summary>One step: new parameters and state from the gradients (a tree shaped like the parameters).</summary>
    (TParams Parameters, OptimizerState<T> State) Update<TParams>(TParams parameters, TParams gradients, OptimizerState<T> state);
}

/// <summary>Shared plumbing: flatten, check the structure, update leaf by leaf, rebuild.</summary>
public abstract class Optimizer<T> : IOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates an optimizer following <paramref name="learningRate"/>.</summary>
    protected Optimizer(Schedule learningRate) => LearningRate = learningRate ?? throw new ArgumentNullException(nameof(learningRate));

    /// <inheritdoc/>
    public Schedule LearningRate { get; }

    /// <summary>The names of the per-parameter slots this optimizer keeps (PyTorch's names).</summary>
    protected abstract string[] SlotNames { get; }

    /// <summary>
    /// Updates one leaf in place on fresh buffers: <paramref name="p"/> holds the parameter and receives the new
    /// value; <paramref name="slots"/> hold the leaf's slot values and receive the new ones. <paramref name="step"/> is
    /// 1-based (the step being taken).
    /// </summary>
    protected abstract void UpdateLeaf(T[] p, ReadOnlySpan<T> g, T[][] slots, double learningRate, long step);

    /// <inheritdoc/>
    public OptimizerState<T> Init<TParams>(TParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var leaves = ParameterTree<T>.Leaves(parameters);
        return new OptimizerState<T>(0, SlotNames, SlotNames.Select(_ => (IReadOnlyList<Tensor<T>>)leaves.Select(l => Tensor.Zeros<T>(l.Shape)).ToArray()).ToArray());
    }

    /// <inheritdoc/>
    public (TParams Parameters, OptimizerState<T> State) Update<TParams>(TParams parameters, TParams gradients, OptimizerState<T> state)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(state);
        var p = ParameterTree<T>.Flatten(parameters);
        var g = ParameterTree<T>.Flatten(gradients);
        if (p.Count != g.Count) throw new ShapeMismatchException("optimizer", $"{g.Count} gradients for {p.Count} parameters");
        if (!state.SlotNames.SequenceEqual(SlotNames) || state.Slots.Any(s => s.Count != p.Count))
            throw new ArgumentException($"optimizer: the state (slots {string.Join(",", state.SlotNames)}) does not belong to this optimizer and these parameters (slots {string.Join(",", SlotNames)}, {p.Count} leaves)");
        double lr = LearningRate.At(state.Step);
        long step = state.Step + 1;
        var newLeaves = new Tensor<T>[p.Count];
        var newSlots = SlotNames.Select(_ => new Tensor<T>[p.Count]).ToArray();
        for (int i = 0; i < p.Count; i++)
        {
            var (param, grad) = (p[i].Value, g[i].Value);
            if (param.Shape != grad.Shape)
                throw new ShapeMismatchException("optimizer", $"gradient of '{p[i].Name}' has the wrong shape", param.Shape, grad.Shape);
            var pData = param.ToArray();
            var slotData = state.Slots.Select((s, k) =>
                s[i].Shape == param.Shape ? s[i].ToArray() : throw new ShapeMismatchException("optimizer", $"slot '{SlotNames[k]}' of '{p[i].Name}' has the wrong shape", param.Shape, s[i].Shape)).ToArray();
            UpdateLeaf(pData, grad.AsSpan(), slotData, lr, step);
            newLeaves[i] = Tensor.FromArray(pData, param.Shape);
            for (int k = 0; k < slotData.Length; k++) newSlots[k][i] = Tensor.FromArray(slotData[k], param.Shape);
        }
        return (ParameterTree<T>.Unflatten(parameters, newLeaves),
                new OptimizerState<T>(step, SlotNames, newSlots.Select(s => (IReadOnlyList<Tensor<T>>)s).ToArray()));
    }

    /// <summary>Throws unless <paramref name="value"/> lies in [min, max) (or [min, max] when <paramref name="maxInclusive"/>).</summary>
    protected static double InRange(double value, double min, double max, string name, bool maxInclusive = false)
    {
        bool ok = double.IsFinite(value) && value >= min && (maxInclusive ? value <= max : value < max);
        return ok ? value : throw new ArgumentOutOfRangeException(name, $"{name} {value} must be in [{min}, {max}{(maxInclusive ? "]" : ")")}");
    }
}
