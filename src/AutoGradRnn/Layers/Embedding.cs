using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>A lookup table of learned vectors, one row per symbol: <c>[vocabulary, dimension]</c>.</summary>
public sealed record Embedding<T>(Tensor<T> Table) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Number of symbols.</summary>
    public int Vocabulary => Table.Shape[0];

    /// <summary>Length of each vector.</summary>
    public int Dimension => Table.Shape[1];

    /// <summary>A new table with N(0, 1) entries, PyTorch's default.</summary>
    public static Embedding<T> Create(int vocabulary, int dimension, long seed)
    {
        if (vocabulary <= 0 || dimension <= 0)
            throw new ArgumentOutOfRangeException(vocabulary <= 0 ? nameof(vocabulary) : nameof(dimension), $"embedding: vocabulary {vocabulary} and dimension {dimension} must be positive");
        return new(Tensor.RandomNormal<T>(new Shape(vocabulary, dimension), seed));
    }

    /// <summary>The vectors of <paramref name="symbols"/>: <c>[n, dimension]</c>.</summary>
    public Tensor<T> Apply(int[] symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        CellChecks.Parameters<T>("Embedding", this);
        return Gather(Table, symbols);
    }

    /// <summary>The vectors of a batch of sequences given row-major as <c>[batch, time]</c>: <c>[batch, time, dimension]</c>.</summary>
    public Tensor<T> Apply(int[] symbols, int batch, int time)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        CellChecks.Parameters<T>("Embedding", this);
        if (batch * time != symbols.Length)
            throw new ShapeMismatchException("embedding", $"{symbols.Length} symbols do not form [batch {batch}, time {time}]", new Shape(symbols.Length));
        return Reshape(Gather(Table, symbols), batch, time, Dimension);
    }
}
