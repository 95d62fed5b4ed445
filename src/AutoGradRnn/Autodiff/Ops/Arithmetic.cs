using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>a + b, elementwise with broadcasting. ∂/∂a = g, ∂/∂b = g (summed over broadcast axes).</summary>
    public static Tensor<T> Add<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Record("add", K.Add(a, b), [a, b], c => [c.Gradient, c.Gradient]);
    }

    /// <summary>a − b, elementwise with broadcasting. ∂/∂a = g, ∂/∂b = −g.</summary>
    public static Tensor<T> Subtract<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Record("subtract", K.Sub(a, b), [a, b], c => [c.Gradient, c.NeedsGradient(1) ? K.Neg(c.Gradient) : null]);
    }

    /// <summary>a ⊙ b (Hadamard product), with broadcasting. ∂/∂a = g⊙b, ∂/∂b = g⊙a.</summary>
    public static Tensor<T> Multiply<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Record("multiply", K.Mul(a, b), [a, b], c =>
            [c.NeedsGradient(0) ? K.Mul(c.Gradient, b) : null, c.NeedsGradient(1) ? K.Mul(c.Gradient, a) : null]);
    }

    /// <summary>y = a ⊘ b, elementwise with broadcasting. ∂/∂a = g/b, ∂/∂b = −g·a/b² = −(g/b)·y (sharing g/b).</summary>
    public static Tensor<T> Divide<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var y = K.Div(a, b);
        return Record("divide", y, [a, b], c =>
        {
            var q = K.Div(c.Gradient, b);
            return [q, c.NeedsGradient(1) ? K.Neg(K.Mul(q, y)) : null];
        });
    }

    /// <summary>−x. ∂/∂x = −g.</summary>
    public static Tensor<T> Negate<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Record("negate", K.Neg(x), [x], c => [K.Neg(c.Gradient)]);
    }

    /// <summary>x + s for a scalar s (e.g. a bias). ∂/∂x = g.</summary>
    public static Tensor<T> Add<T>(Tensor<T> x, T s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Record("add_scalar", K.Map(x, (src, d) => TensorPrimitives.Add(src, s, d)), [x], c => [c.Gradient], OpAttributes.OfScalar(double.CreateTruncating(s)));
    }

    /// <summary>s − x for a scalar s (the essay's <c>1 − f_t</c>). ∂/∂x = −g.</summary>
    public static Tensor<T> Subtract<T>(T s, Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Record("rsub_scalar", K.Map(x, (src, d) => TensorPrimitives.Subtract(s, src, d)), [x], c => [K.Neg(c.Gradient)], OpAttributes.OfScalar(double.CreateTruncating(s)));
    }

    /// <summary>s·x for a scalar s. ∂/∂x = s·g.</summary>
    public static Tensor<T> Multiply<T>(Tensor<T> x, T s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Record("mul_scalar", K.Scale(x, s), [x], c => [K.Scale(c.Gradient, s)], OpAttributes.OfScalar(double.CreateTruncating(s)));
    }

    /// <summary>x². ∂/∂x = 2x·g.</summary>
    public static Tensor<T> Square<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Record("square", K.Mul(x, x), [x], c => [K.Scale(K.Mul(c.Gradient, x), T.CreateTruncating(2))]);
    }

    /// <summary>√x. ∂/∂x = g / (2√x).</summary>
    public static Tensor<T> Sqrt<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = K.Map(x, TensorPrimitives.Sqrt);
        return Record("sqrt", y, [x], c => [K.Div(c.Gradient, K.Scale(y, T.CreateTruncating(2)))]);
    }

    /// <summary>|x|. ∂/∂x = sign(x)·g (0 at 0, as PyTorch).</summary>
    public static Tensor<T> Abs<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Record("abs", K.Map(x, TensorPrimitives.Abs), [x], c =>
        {
            var g = c.Gradient;
            var d = new T[g.Count];
            for (int i = 0; i < d.Length; i++) d[i] = T.CreateTruncating(T.Sign(x.Data[i])) * g.Data[i];
            return [new Tensor<T>(d, g.Shape)];
        });
    }
}
