using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>
    /// Rows of <paramref name="table"/> <c>[V,E]</c> picked by <paramref name="indices"/>: <c>[n,E]</c> (an embedding
    /// lookup). ∂/∂table = g's rows added into the rows they came from (repeated indices accumulate).
    /// </summary>
    public static Tensor<T> Gather<T>(Tensor<T> table, int[] indices) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(table, nameof(table));
        ArgumentNullException.ThrowIfNull(indices);
        if (table.Rank != 2) throw new ShapeMismatchException("gather", $"the table must be a matrix [rows, width], got rank {table.Rank}", table.Shape);
        int v = table.Shape[0], e = table.Shape[1];
        var d = new T[indices.Length * e];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(indices), $"gather: index {indices[i]} at position {i} is outside the {v} rows of table {table.Shape}");
            table.Data.AsSpan(indices[i] * e, e).CopyTo(d.AsSpan(i * e, e));
        }
        var idx = (int[])indices.Clone();
        return Record("gather", new Tensor<T>(d, new Shape(indices.Length, e)), [table], c =>
        {
            var g = c.Gradient;
            var gt = new T[table.Count];
            for (int i = 0; i < idx.Length; i++)
            {
                var row = gt.AsSpan(idx[i] * e, e);
                TensorPrimitives.Add(row, g.Data.AsSpan(i * e, e), row);
            }
            return [new Tensor<T>(gt, table.Shape)];
        }, OpAttributes.OfData(indices));   // the caller's array: a tracer can tell which symbols an input held
    }
}
