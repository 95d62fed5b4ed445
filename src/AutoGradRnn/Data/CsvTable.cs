using System.Globalization;
using System.Text;

namespace AutoGradRnn;

/// <summary>
/// A CSV file as named text columns (RFC 4180: commas, double-quoted fields with "" escapes, CRLF or LF).
/// The first row names the columns. Conversions to numbers and timestamps name the file, row and column of
/// the first bad value.
/// </summary>
public sealed class CsvTable
{
    private readonly string[][] rows;
    private readonly Dictionary<string, int> columns;

    private CsvTable(string source, string[] header, string[][] rows)
    {
        Source = source;
        Header = header;
        this.rows = rows;
        columns = [];
        for (int i = 0; i < header.Length; i++)
            if (!columns.TryAdd(header[i], i)) throw new DataFormatException(source, $"column name '{header[i]}' appears twice in the header", 1);
    }

    /// <summary>The file this table came from.</summary>
    public string Source { get; }
    /// <summary>Column names in file order.</summary>
    public IReadOnlyList<string> Header { get; }
    /// <summary>Data rows (not counting the header).</summary>
    public int RowCount => rows.Length;

    /// <summary>Reads a CSV file (UTF-8). Throws <see cref="DataFormatException"/> if it has no header, no data rows or ragged rows.</summary>
    public static CsvTable Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(TextCorpus.Load(path), path);
    }

    /// <summary>Parses CSV text; <paramref name="source"/> names it in errors.</summary>
    public static CsvTable Parse(string text, string source = "csv")
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, fieldStarted = false;
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0: quoted = true; fieldStarted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); fieldStarted = true; break;
                case '\r': break;
                case '\n':
                    line++;
                    if (fieldStarted || field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); records.Add([.. fields]); }
                    fields.Clear(); field.Clear(); fieldStarted = false;
                    break;
                default: field.Append(c); fieldStarted = true; break;
            }
        }
        if (quoted) throw new DataFormatException(source, $"a quoted field opened before line {line} is never closed");
        if (fieldStarted || field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); records.Add([.. fields]); }
        if (records.Count == 0) throw new DataFormatException(source, "the file has no header row");
        var header = records[0].Select(h => h.Trim()).ToArray();
        if (records.Count == 1) throw new DataFormatException(source, "the file has a header but no data rows");
        for (int r = 1; r < records.Count; r++)
            if (records[r].Length != header.Length)
                throw new DataFormatException(source, $"has {records[r].Length} fields, the header has {header.Length}", r + 1);
        return new CsvTable(source, header, records.Skip(1).ToArray());
    }

    /// <summary>True when the table has a column named <paramref name="name"/>.</summary>
    public bool Has(string name) => columns.ContainsKey(name);

    /// <summary>The raw text of a column.</summary>
    public string[] Text(string name) => rows.Select(r => r[Index(name)]).ToArray();

    /// <summary>A column as numbers (invariant culture). A missing or non-numeric value is an error naming its row.</summary>
    public double[] Numbers(string name)
    {
        int c = Index(name);
        var values = new double[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            var s = rows[r][c].Trim();
            if (s.Length == 0) throw new DataFormatException(Source, "the value is missing", r + 2, name);
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out values[r]))
                throw new DataFormatException(Source, $"'{s}' is not a number", r + 2, name);
            if (!double.IsFinite(values[r])) throw new DataFormatException(Source, $"'{s}' is not a finite number", r + 2, name);
        }
        return values;
    }

    /// <summary>True when every value of the column parses as a number.</summary>
    public bool IsNumeric(string name) => Text(name).All(s => double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v));

    /// <summary>True when every value of the column parses as a date/time (ISO 8601 and the usual invariant forms), and is not a plain number.</summary>
    public bool IsTimestamp(string name) => Text(name).All(s => !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _) &&
        DateTime.TryParse(s.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _));

    /// <summary>A column as timestamps; an unparseable value is an error naming its row.</summary>
    public DateTime[] Timestamps(string name)
    {
        int c = Index(name);
        return rows.Select((row, r) => DateTime.TryParse(row[c].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t)
            ? t : throw new DataFormatException(Source, $"'{row[c]}' is not a date/time", r + 2, name)).ToArray();
    }

    private int Index(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return columns.TryGetValue(name, out int i) ? i
            : throw new DataFormatException(Source, $"there is no column '{name}' (columns: {string.Join(", ", Header)})");
    }
}
