using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

/// <summary>
/// Gradient clipping over a whole gradient tree. Both forms return the norm measured <em>before</em>
/// clipping, so it can be plotted and exploding gradients seen.
/// </summary>
public static class GradientClipping<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>‖g‖₂ over every leaf of the tree (computed in double).</summary>
    public static double GlobalNorm<TGrads>(TGrads gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        double sum = 0;
        foreach (var leaf in ParameterTree<T>.Leaves(gradients))
            foreach (var v in leaf.AsSpan()) { double d = double.CreateTruncating(v); sum += d * d; }
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Scales all gradients by max/(‖g‖ + 10⁻⁶) when ‖g‖ exceeds <paramref name="maxNorm"/>, as PyTorch's
    /// <c>clip_grad_norm_</c>. A non-finite norm is returned as it is, with the gradients untouched, so the
    /// caller can report it rather than silently zeroing the update.
    /// </summary>
    public static (TGrads Gradients, double Norm) ByGlobalNorm<TGrads>(TGrads gradients, double maxNorm)
    {
        if (!(maxNorm > 0) || !double.IsFinite(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), $"clip: max norm {maxNorm} must be a finite number > 0");
        double norm = GlobalNorm(gradients);
        double coefficient = maxNorm / (norm + 1e-6);
        if (!double.IsFinite(norm) || coefficient >= 1) return (gradients, norm);
        T c = T.CreateTruncating(coefficient);
        return (ParameterTree<T>.Map(gradients, g => K.Scale(g, c)), norm);
    }

    /// <summary>Clamps every gradient element into [−<paramref name="clip"/>, <paramref name="clip"/>] (PyTorch's <c>clip_grad_value_</c>); returns the pre-clip norm.</summary>
    public static (TGrads Gradients, double Norm) ByValue<TGrads>(TGrads gradients, double clip)
    {
        if (!(clip > 0) || !double.IsFinite(clip))
            throw new ArgumentOutOfRangeException(nameof(clip), $"clip: value {clip} must be a finite number > 0");
        double norm = GlobalNorm(gradients);
        T c = T.CreateTruncating(clip);
        return (ParameterTree<T>.Map(gradients, g => K.Map(g, (s, d) => TensorPrimitives.Clamp(s, -c, c, d))), norm);
    }
}
