using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>a + b, elementwise with broadcasting. ∂/∂a = g, ∂/∂b = g (summed over broadcast axes).</summary>
    public static Tensor<T> Add<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T> =>
        Record("add", K.Add(a, b), [a, b], (g, _) => g);

    /// <summary>a − b, elementwise with broadcasting. ∂/∂a = g, ∂/∂b = −g.</summary>
    public static Tensor<T> Subtract<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T> =>
        Record("subtract", K.Sub(a, b), [a, b], (g, i) => i == 0 ? g : K.Neg(g));

    /// <summary>a ⊙ b (Hadamard product), with broadcasting. ∂/∂a = g⊙b, ∂/∂b = g⊙a.</summary>
    public static Tensor<T> Multiply<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T> =>
        Record("multiply", K.Mul(a, b), [a, b], (g, i) => i == 0 ? K.Mul(g, b) : K.Mul(g, a));

    /// <summary>a ⊘ b, elementwise with broadcasting. ∂/∂a = g/b, ∂/∂b = −g·a/b².</summary>
    public static Tensor<T> Divide<T>(Tensor<T> a, Tensor<T> b) where T : unmanaged, IFloatingPointIeee754<T> =>
        Record("divide", K.Div(a, b), [a, b], (g, i) => i == 0 ? K.Div(g, b) : K.Neg(K.Div(K.Mul(g, a), K.Mul(b, b))));

    /// <summary>−x. ∂/∂x = −g.</summary>
    public static Tensor<T> Negate<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Record("negate", K.Neg(x), [x], (g, _) => K.Neg(g));

    /// <summary>x + s for a scalar s (e.g. a bias). ∂/∂x = g.</summary>
    public static Tensor<T> Add<T>(Tensor<T> x, T s) where T : unmanaged, IFloatingPointIeee754<T> =>
        Record("add_scalar", K.Map(x, (src, d) => TensorPrimitives.Add(src, s, d)), [x], (g, _) => g);

    /// <summary>s − x for a scalar s (the essay's <c>1 − f_t</c>). ∂/∂x = −g.</summary>
    public static Tensor<T> Subtract<T>(T s, Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Record("rsub_scalar", K.Map(x, (src, d) => TensorPrimitives.Subtract(s, src, d)), [x], (g, _) => K.Neg(g));

    /// <summary>s·x for a scalar s. ∂/∂x = s·g.</summary>
    public static Tensor<T> Multiply<T>(Tensor<T> x, T s) where T : unmanaged, IFloatingPointIeee754<T> =>
        Record("mul_scalar", K.Scale(x, s), [x], (g, _) => K.Scale(g, s));

    /// <summary>x². ∂/∂x = 2x·g.</summary>
    public static Tensor<T> Square<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Record("square", K.Mul(x, x), [x], (g, _) => K.Scale(K.Mul(g, x), T.CreateTruncating(2)));

    /// <summary>√x. ∂/∂x = g / (2√x).</summary>
    public static Tensor<T> Sqrt<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = K.Map(x, TensorPrimitives.Sqrt);
        return Record("sqrt", y, [x], (g, _) => K.Div(g, K.Scale(y, T.CreateTruncating(2))));
    }

    /// <summary>|x|. ∂/∂x = sign(x)·g (0 at 0, as PyTorch).</summary>
    public static Tensor<T> Abs<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Record("abs", K.Map(x, TensorPrimitives.Abs), [x], (g, _) =>
        {
            var d = new T[g.Count];
            for (int i = 0; i < d.Length; i++) d[i] = T.CreateTruncating(T.Sign(x.Data[i])) * g.Data[i];
            return new Tensor<T>(d, g.Shape);
        });
}
