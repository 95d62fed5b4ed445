namespace AutoGradRnn;

/// <summary>
/// Thrown when the shapes given to an operation do not fit together. The message names the
/// operation and every shape involved, e.g. <c>matmul: [32,65] x [64,256]: inner dimensions 65 and 64 differ</c>.
/// </summary>
public sealed class ShapeMismatchException : ArgumentException
{
    /// <summary>Creates the exception for operation <paramref name="op"/> with the shapes involved.</summary>
    public ShapeMismatchException(string op, string detail, params Shape[] shapes)
        : base((shapes ?? throw new ArgumentNullException(nameof(shapes))).Length == 0 ? $"{op}: {detail}" : $"{op}: {string.Join(" x ", shapes.Select(s => s.ToString()))}: {detail}")
    {
        Op = op;
        Shapes = shapes;
    }

    /// <summary>The operation that rejected the shapes.</summary>
    public string Op { get; }

    /// <summary>The shapes involved, in argument order.</summary>
    public IReadOnlyList<Shape> Shapes { get; }
}
