using System.Globalization;
using System.Numerics;
using System.Text;

namespace AutoGradRnn;

/// <summary>
/// An immutable, row-major, n-dimensional array of <typeparamref name="T"/> (<see cref="float"/> or
/// <see cref="double"/>). Every operation returns a new tensor; none changes an existing one, so a
/// tensor can be shared freely between threads, parameter records and tapes.
/// </summary>
/// <remarks>
/// A tensor may be <em>tracked</em>: recorded on a <see cref="Tape{T}"/>, so that operations on it are
/// recorded too and gradients can flow back to it. Untracked tensors (data, constants) cost nothing on
/// any tape. Tracking never changes the values.
/// </remarks>
[Display.TypeFormatterSource(typeof(Display.FormatterSource))]
public sealed partial class Tensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Never written after construction. Tensors that share it (reshape, tracking) are all immutable.
    internal readonly T[] Data;

    internal Tensor(T[] data, Shape shape, Tape<T>? tape = null, int id = -1)
    {
        if (data.Length != shape.Count)
            throw new ShapeMismatchException("tensor", $"{data.Length} values do not fill the shape ({shape.Count} elements)", shape);
        Data = data;
        Shape = shape;
        Tape = tape;
        Id = id;
    }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public int Rank => Shape.Rank;

    /// <summary>Total number of elements.</summary>
    public int Count => Data.Length;

    /// <summary>The tape this tensor is recorded on, if any (internal: users see <see cref="IsTracked"/>).</summary>
    internal Tape<T>? Tape { get; }

    /// <summary>This tensor's slot on its tape (its gradient's index; one per output of a node), or −1 when untracked.</summary>
    internal int Id { get; }

    /// <summary>True when this tensor is recorded on a tape, so gradients can flow to it.</summary>
    public bool IsTracked => Tape is not null;

    /// <summary>The same values, no longer recorded on any tape (PyTorch's <c>detach()</c>): gradients stop here.</summary>
    public Tensor<T> Detach() => Tape is null ? this : new Tensor<T>(Data, Shape);

    /// <summary>Read-only view of the values in row-major order.</summary>
    public ReadOnlySpan<T> AsSpan() => Data;

    /// <summary>The values in row-major order, as a new array.</summary>
    public T[] ToArray() => (T[])Data.Clone();

    /// <summary>The element at the given multi-index (one index per dimension; negative counts from the end).</summary>
    public T this[params int[] index]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(index);
            return Data[FlatIndex(index)];
        }
    }

    /// <summary>The single value of a tensor with one element (a scalar, or any shape of count 1).</summary>
    public T ToScalar() =>
        Count == 1 ? Data[0] : throw new ShapeMismatchException("ToScalar", $"tensor has {Count} elements, expected 1", Shape);

    /// <summary>A rank-2 tensor as a rectangular array.</summary>
    public T[,] ToArray2D()
    {
        if (Rank != 2) throw new ShapeMismatchException("ToArray2D", $"expected rank 2, got rank {Rank}", Shape);
        var result = new T[Shape[0], Shape[1]];
        for (int i = 0; i < Shape[0]; i++)
            for (int j = 0; j < Shape[1]; j++)
                result[i, j] = Data[i * Shape[1] + j];
        return result;
    }

    internal int FlatIndex(ReadOnlySpan<int> index)
    {
        if (index.Length != Rank)
            throw new ShapeMismatchException("index", $"[{string.Join(",", index.ToArray())}] has {index.Length} components for a tensor of rank {Rank}", Shape);
        int flat = 0;
        for (int d = 0; d < index.Length; d++)
        {
            int size = Shape.Dims[d];
            int i = index[d] < 0 ? index[d] + size : index[d];
            if (i < 0 || i >= size)
                throw new ArgumentOutOfRangeException(nameof(index), $"index [{string.Join(",", index.ToArray())}] is outside shape {Shape}");
            flat = flat * size + i;
        }
        return flat;
    }

    /// <summary>
    /// True when both tensors have the same shape and every pair of elements satisfies
    /// |a − b| ≤ atol + rtol·|b| (NumPy's <c>allclose</c>; NaNs are never close).
    /// </summary>
    public bool AllClose(Tensor<T> other, double rtol = 1e-5, double atol = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Shape != other.Shape) return false;
        for (int i = 0; i < Data.Length; i++)
        {
            double a = double.CreateTruncating(Data[i]), b = double.CreateTruncating(other.Data[i]);
            if (a == b) continue; // equal infinities
            if (!(Math.Abs(a - b) <= atol + rtol * Math.Abs(b))) return false;
        }
        return true;
    }

    /// <summary>The largest |a − b| over all elements (shapes must match).</summary>
    public double MaxAbsDifference(Tensor<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Shape != other.Shape) throw new ShapeMismatchException("MaxAbsDifference", "shapes differ", Shape, other.Shape);
        double m = 0;
        for (int i = 0; i < Data.Length; i++)
            m = Math.Max(m, Math.Abs(double.CreateTruncating(Data[i]) - double.CreateTruncating(other.Data[i])));
        return m;
    }

    /// <summary>True when no element is NaN or ±∞.</summary>
    public bool IsFinite()
    {
        foreach (var v in Data) if (!T.IsFinite(v)) return false;
        return true;
    }

    /// <summary>
    /// Shape, element type and values, nested like NumPy; at most <paramref name="maxPerAxis"/> entries
    /// per axis are shown, the rest elided with "…". A scalar is one line (<c>Tensor&lt;Double&gt; [] 0.5</c>),
    /// so it reads well inside an interpolated string; other ranks put the values on the lines below.
    /// </summary>
    public string ToString(int maxPerAxis)
    {
        var sb = new StringBuilder();
        sb.Append("Tensor<").Append(typeof(T).Name).Append("> ").Append(Shape);
        if (IsTracked) sb.Append(" (tracked)");
        if (Rank == 0) return sb.Append(' ').Append(Format(Data[0])).ToString();
        sb.Append('\n');
        AppendAxis(sb, 0, 0, maxPerAxis);
        return sb.ToString();
    }

    /// <summary>Shape, element type and values (at most 6 per axis).</summary>
    public override string ToString() => ToString(6);

    private void AppendAxis(StringBuilder sb, int axis, int offset, int max)
    {
        int n = Shape.Dims[axis];
        int stride = Shape.Inner(axis);
        sb.Append('[');
        bool elide = n > max;
        int head = elide ? max / 2 : n;
        for (int i = 0; i < n; i++)
        {
            if (elide && i == head) { sb.Append(axis == Rank - 1 ? "…, " : "…,\n" + new string(' ', axis + 1)); i = n - (max - head) - 1; continue; }
            if (axis == Rank - 1) sb.Append(Format(Data[offset + i]));
            else AppendAxis(sb, axis + 1, offset + i * stride, max);
            if (i < n - 1) sb.Append(axis == Rank - 1 ? ", " : ",\n" + new string(' ', axis + 1));
        }
        sb.Append(']');
    }

    private static string Format(T v) => double.CreateTruncating(v).ToString("G6", CultureInfo.InvariantCulture);
}
