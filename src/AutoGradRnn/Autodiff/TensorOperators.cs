using System.Numerics;

namespace AutoGradRnn;

// Operators and method forms, all forwarding to Ops so each op has exactly one definition.
public sealed partial class Tensor<T>
{
    /// <summary>Elementwise sum with broadcasting (<see cref="Ops.Add{T}(Tensor{T}, Tensor{T})"/>).</summary>
    public static Tensor<T> operator +(Tensor<T> a, Tensor<T> b) => Ops.Add(a, b);
    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Tensor<T> operator -(Tensor<T> a, Tensor<T> b) => Ops.Subtract(a, b);
    /// <summary>Elementwise (Hadamard) product with broadcasting — not the matrix product; see <see cref="MatMul"/>.</summary>
    public static Tensor<T> operator *(Tensor<T> a, Tensor<T> b) => Ops.Multiply(a, b);
    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static Tensor<T> operator /(Tensor<T> a, Tensor<T> b) => Ops.Divide(a, b);
    /// <summary>Negation.</summary>
    public static Tensor<T> operator -(Tensor<T> x) => Ops.Negate(x);
    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor<T> operator +(Tensor<T> x, T s) => Ops.Add(x, s);
    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor<T> operator +(T s, Tensor<T> x) => Ops.Add(x, s);
    /// <summary>Subtracts a scalar from every element.</summary>
    public static Tensor<T> operator -(Tensor<T> x, T s) => Ops.Add(x, -s);
    /// <summary>Scalar minus every element (the essay's <c>1 − f_t</c>).</summary>
    public static Tensor<T> operator -(T s, Tensor<T> x) => Ops.Subtract(s, x);
    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor<T> operator *(Tensor<T> x, T s) => Ops.Multiply(x, s);
    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor<T> operator *(T s, Tensor<T> x) => Ops.Multiply(x, s);
    /// <summary>Divides every element by a scalar.</summary>
    public static Tensor<T> operator /(Tensor<T> x, T s) => Ops.Multiply(x, T.One / s);

    /// <summary>Matrix product this·<paramref name="other"/> (see <see cref="Ops.MatMul{T}"/>).</summary>
    public Tensor<T> MatMul(Tensor<T> other, bool transposeThis = false, bool transposeOther = false)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Ops.MatMul(this, other, transposeThis, transposeOther);
    }
    /// <summary>Sum of all elements, as a scalar.</summary>
    public Tensor<T> Sum() => Ops.Sum(this);
    /// <summary>Sum over one axis.</summary>
    public Tensor<T> Sum(int axis, bool keepDims = false) => Ops.Sum(this, axis, keepDims);
    /// <summary>Mean of all elements, as a scalar.</summary>
    public Tensor<T> Mean() => Ops.Mean(this);
    /// <summary>Mean over one axis.</summary>
    public Tensor<T> Mean(int axis, bool keepDims = false) => Ops.Mean(this, axis, keepDims);
    /// <summary>The same values under a new shape with the same element count (one dimension may be −1).</summary>
    public Tensor<T> Reshape(params int[] shape) => Ops.Reshape(this, shape);
    /// <summary>Swaps two axes (by default the last two).</summary>
    public Tensor<T> Transpose(int axis0 = -2, int axis1 = -1) => Ops.Transpose(this, axis0, axis1);
    /// <summary>The range [start, start+length) of one axis (by default the last, the feature axis).</summary>
    public Tensor<T> Slice(int start, int length, int axis = -1) => Ops.Slice(this, start, length, axis);
}
