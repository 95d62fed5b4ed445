using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests;

/// <summary>
/// CsvTable keeps its cells in one buffer instead of a string per cell. On any text, it must give the header and every
/// column's text that the string-per-cell parser gave (kept here as the reference), or refuse the same texts.
/// </summary>
[Properties(Arbitrary = new[] { typeof(CsvCompactStorageTests.Texts) })]
public class CsvCompactStorageTests
{
    public sealed record CsvText(string Value)
    {
        public override string ToString() => Value.Replace("\n", "\\n").Replace("\r", "\\r");
    }

    public static class Texts
    {
        // Mostly two or three columns, so that most texts parse and the columns are compared.
        public static Arbitrary<CsvText> Csv() => Arb.From(
            from header in Gen.Elements("a,b", "a,b,c", "x", " t , v ")
            from body in Gen.ListOf(Gen.Elements("1", "2.5", ",", ",", "\"", "\"\"", "\n", "\n", "\r\n", " ", "NA", "é", "🐳"))
            select new CsvText(header + "\n" + string.Concat(body)));
    }

    /// <summary>The parser as it was (a string per cell), minus the checks that came with the compact one.</summary>
    private static (string[] Header, List<string[]> Rows)? Reference(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, fieldStarted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0: quoted = true; fieldStarted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); fieldStarted = true; break;
                case '\r': break;
                case '\n':
                    if (fieldStarted || field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); records.Add([.. fields]); }
                    fields.Clear(); field.Clear(); fieldStarted = false;
                    break;
                default: field.Append(c); fieldStarted = true; break;
            }
        }
        if (quoted) return null;
        if (fieldStarted || field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); records.Add([.. fields]); }
        if (records.Count < 2) return null;
        var header = records[0].Select(h => h.Trim()).ToArray();
        if (records.Skip(1).Any(r => r.Length != header.Length) || header.Distinct().Count() != header.Length) return null;
        return (header, records.Skip(1).ToList());
    }

    [Property(MaxTest = 1000)]
    public void The_compact_table_reads_every_text_as_the_string_per_cell_parser_did(CsvText csv)
    {
        var expected = Reference(csv.Value);
        CsvTable? table = null;
        try { table = CsvTable.Parse(csv.Value, "p.csv"); }
        catch (DataFormatException) { }
        if (expected is null) { Assert.Null(table); return; }
        Assert.NotNull(table);
        Assert.Equal(expected.Value.Header, table.Header);
        Assert.Equal(expected.Value.Rows.Count, table.RowCount);
        for (int c = 0; c < table.Header.Count; c++)
            Assert.Equal(expected.Value.Rows.Select(r => r[c]), table.Text(table.Header[c]));
    }
}
