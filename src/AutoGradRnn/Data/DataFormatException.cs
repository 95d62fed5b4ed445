namespace AutoGradRnn;

/// <summary>
/// Thrown for input data that cannot be used as promised: names the file and, where they apply, the
/// row (1-based, counting the header as row 1), the column and the offending value.
/// </summary>
public sealed class DataFormatException : FormatException
{
    internal DataFormatException(string file, string detail, int row = 0, string column = "")
        : base($"{file}{(row > 0 ? $", row {row}" : "")}{(column.Length > 0 ? $", column '{column}'" : "")}: {detail}")
    {
        File = file;
        Row = row;
        Column = column;
    }

    /// <summary>The file (or a description of the source).</summary>
    public string File { get; }
    /// <summary>1-based row, 0 when not about a row.</summary>
    public int Row { get; }
    /// <summary>The column's name, "" when not about a column.</summary>
    public string Column { get; }
}
