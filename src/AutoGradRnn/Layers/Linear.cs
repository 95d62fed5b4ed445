using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>A dense layer y = x·W + b: W <c>[in, out]</c>, b <c>[out]</c>. x may be <c>[.., in]</c> of any rank ≥ 2.</summary>
public sealed record Linear<T>(Tensor<T> W, Tensor<T> B) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Features in.</summary>
    public int InputSize => W.Shape[0];

    /// <summary>Features out.</summary>
    public int OutputSize => W.Shape[1];

    /// <summary>A new layer with PyTorch's default U(±1/√in) weights and bias.</summary>
    public static Linear<T> Create(int inputSize, int outputSize, long seed)
    {
        if (inputSize <= 0 || outputSize <= 0)
            throw new ArgumentOutOfRangeException(inputSize <= 0 ? nameof(inputSize) : nameof(outputSize), $"linear: sizes {inputSize} → {outputSize} must be positive");
        var rng = new Rng(seed);
        double bound = 1 / Math.Sqrt(inputSize);
        return new(rng.Uniform<T>(new Shape(inputSize, outputSize), -bound, bound),
                   rng.Uniform<T>(new Shape(outputSize), -bound, bound));
    }

    /// <summary>y = x·W + b.</summary>
    public Tensor<T> Apply(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        CellChecks.Parameters<T>("Linear", this);   // names a null W or B rather than the matmul's operand
        return MatMul(x, W) + B;
    }
}
