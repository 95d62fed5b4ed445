using System.Globalization;
using System.Text;

namespace AutoGradRnn;

/// <summary>
/// A CSV file as named text columns (RFC 4180: commas, double-quoted fields with "" escapes, CRLF or LF).
/// The first row names the columns. Conversions to numbers and timestamps name the file, row and column of
/// the first bad value. The cells are held compactly, as one character buffer and one offset per cell (about
/// 2 bytes a character of the file plus 4 a cell), and converted when a column is asked for, never as a string per cell.
/// </summary>
public sealed class CsvTable
{
    private readonly char[] buffer;      // every cell's unescaped text, one after another
    private readonly List<int> bounds;   // cell i (row-major) is buffer[bounds[i] .. bounds[i + 1]); a list, so never copied
    private readonly int rowCount;
    private readonly Dictionary<string, int> columns;

    private CsvTable(string source, string[] header, char[] buffer, List<int> bounds, int rowCount)
    {
        Source = source;
        Header = header;
        this.buffer = buffer;
        this.bounds = bounds;
        this.rowCount = rowCount;
        columns = [];
        for (int i = 0; i < header.Length; i++)
            if (!columns.TryAdd(header[i], i)) throw new DataFormatException(source, $"column name '{header[i]}' appears twice in the header", 1);
    }

    /// <summary>The file this table came from.</summary>
    public string Source { get; }
    /// <summary>Column names in file order.</summary>
    public IReadOnlyList<string> Header { get; }
    /// <summary>Data rows (not counting the header).</summary>
    public int RowCount => rowCount;

    /// <summary>Reads a CSV file (UTF-8). Throws <see cref="DataFormatException"/> if it has no header, no data rows or ragged rows.</summary>
    public static CsvTable Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(TextCorpus.Load(path), path);
    }

    /// <summary>
    /// Parses CSV text; <paramref name="source"/> names it in errors. A header of one column that contains a semicolon
    /// or a tab is an error saying the file looks separated by that character (this reader needs commas).
    /// </summary>
    public static CsvTable Parse(string text, string source = "csv")
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = new char[text.Length];   // unescaped cells are never longer than the text
        var bounds = new List<int> { 0 };
        int used = 0, fields = 0, records = 0, width = 0;   // width is set by the header before any row is compared with it
        // A record ends at a newline only if it has content: a cell's text (used past the field's start), a comma (fields),
        // or a quoted field, which may be empty ("") and so leaves neither trace.
        bool quoted = false, quotedField = false;
        int line = 1;
        string[] header = [];

        void EndField() { bounds.Add(used); fields++; }
        void EndRecord()
        {
            EndField();
            if (records == 0)
            {
                width = fields;
                header = new string[fields];
                for (int c = 0; c < fields; c++) header[c] = new string(buffer, bounds[c], bounds[c + 1] - bounds[c]).Trim();
                if (fields == 1 && header[0].IndexOfAny([';', '\t']) is int k and >= 0)
                {
                    string name = header[0][k] == ';' ? "semicolons" : "tabs";
                    throw new DataFormatException(source, $"the header '{header[0].Replace("\t", "\\t")}' is one column containing {name}: the file looks separated by {name}, but this reader needs commas; " +
                        $"convert it (e.g. save it as CSV with commas, and decimal commas as points)", 1);
                }
                // The header's cells are kept as strings: drop them from the buffer.
                used = 0;
                bounds.Clear();
                bounds.Add(0);
            }
            else if (fields != width)
                throw new DataFormatException(source, $"has {fields} fields, the header has {width}", records + 1);
            records++;
            fields = 0;
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { buffer[used++] = '"'; i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; buffer[used++] = c; }
                continue;
            }
            switch (c)
            {
                case '"' when used == bounds[^1]: quoted = true; quotedField = true; break;
                case ',': EndField(); break;
                case '\r': break;
                case '\n':
                    line++;
                    if (quotedField || used > bounds[^1] || fields > 0) EndRecord();
                    quotedField = false;
                    break;
                default: buffer[used++] = c; break;
            }
        }
        if (quoted) throw new DataFormatException(source, $"a quoted field opened before line {line} is never closed");
        if (quotedField || used > bounds[^1] || fields > 0) EndRecord();
        if (records == 0) throw new DataFormatException(source, "the file has no header row");
        if (records == 1) throw new DataFormatException(source, "the file has a header but no data rows");
        bounds.TrimExcess();   // the list grew by doubling: give back up to half of it
        return new CsvTable(source, header, buffer, bounds, records - 1);
    }

    /// <summary>True when the table has a column named <paramref name="name"/>.</summary>
    public bool Has(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return columns.ContainsKey(name);
    }

    /// <summary>The raw text of a column.</summary>
    public string[] Text(string name)
    {
        int c = Index(name);
        var values = new string[rowCount];
        for (int r = 0; r < rowCount; r++) values[r] = new string(Cell(r, c));
        return values;
    }

    /// <summary>
    /// A column as numbers (invariant culture). A missing or non-numeric value is an error naming its row; a marker of a
    /// missing value (NA, N/A, null, -, ?) and a decimal comma are named as such.
    /// </summary>
    public double[] Numbers(string name)
    {
        int c = Index(name);
        var values = new double[rowCount];
        for (int r = 0; r < rowCount; r++)
        {
            var s = Cell(r, c).Trim();
            if (s.IsEmpty) throw new DataFormatException(Source, "the value is missing", r + 2, name);
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out values[r]))
                throw new DataFormatException(Source, $"'{s}' is not a number{Hint(s)}", r + 2, name);
            if (!double.IsFinite(values[r])) throw new DataFormatException(Source, $"'{s}' is not a finite number", r + 2, name);
        }
        return values;
    }

    /// <summary>True when every value of the column parses as a finite number.</summary>
    public bool IsNumeric(string name) => FirstNonNumeric(name) < 0;

    /// <summary>
    /// Why a column is not numeric: "row 3 holds 'NA'" for its first value that is not a finite number, "" when every
    /// value is one (rows count the header as row 1).
    /// </summary>
    public string WhyNotNumeric(string name)
    {
        int r = FirstNonNumeric(name);
        if (r < 0) return "";
        var s = Cell(r, Index(name)).Trim();
        return s.IsEmpty ? $"row {r + 2} is empty" : $"row {r + 2} holds '{s}'{Hint(s)}";
    }

    private int FirstNonNumeric(string name)
    {
        int c = Index(name);
        for (int r = 0; r < rowCount; r++)
            if (!double.TryParse(Cell(r, c).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v)) return r;
        return -1;
    }

    /// <summary>True when every value of the column parses as a date/time (ISO 8601 and the usual invariant forms), and is not a plain number.</summary>
    public bool IsTimestamp(string name)
    {
        int c = Index(name);
        for (int r = 0; r < rowCount; r++)
            if (!IsTimestampText(Cell(r, c))) return false;
        return true;
    }

    /// <summary>True when the column's first value is a date/time: a column meant as timestamps, whose bad values should be errors.</summary>
    internal bool StartsWithTimestamp(string name) => IsTimestampText(Cell(0, Index(name)));

    private static bool IsTimestampText(ReadOnlySpan<char> s) => !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _) &&
        DateTime.TryParse(s.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _);

    /// <summary>A column as timestamps; an unparseable value is an error naming its row.</summary>
    public DateTime[] Timestamps(string name)
    {
        int c = Index(name);
        var values = new DateTime[rowCount];
        for (int r = 0; r < rowCount; r++)
            if (!DateTime.TryParse(Cell(r, c).Trim(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out values[r]))
                throw new DataFormatException(Source, $"'{Cell(r, c)}' is not a date/time", r + 2, name);
        return values;
    }

    private ReadOnlySpan<char> Cell(int row, int column)
    {
        int i = row * Header.Count + column;
        return buffer.AsSpan(bounds[i], bounds[i + 1] - bounds[i]);
    }

    /// <summary>What a value that is not a number probably is.</summary>
    private static string Hint(ReadOnlySpan<char> s) =>
        s.Equals("NA", StringComparison.OrdinalIgnoreCase) || s.Equals("N/A", StringComparison.OrdinalIgnoreCase) || s.Equals("null", StringComparison.OrdinalIgnoreCase)
            || s is "-" or "?" || s.Equals("NaN", StringComparison.OrdinalIgnoreCase) ? " (a marker of a missing value? fill or drop that row)"
        : s.Contains(',') && double.TryParse(s.ToString().Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? " (a decimal comma? write decimal points)"
        : "";

    private int Index(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return columns.TryGetValue(name, out int i) ? i
            : throw new DataFormatException(Source, $"there is no column '{name}' (columns: {string.Join(", ", Header)})");
    }
}
