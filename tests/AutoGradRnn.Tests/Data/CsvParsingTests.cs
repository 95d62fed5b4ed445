namespace AutoGradRnn.Tests;

/// <summary>
/// The CSV reader's grammar case by case: quotes, doubled quotes, commas and newlines inside quotes, empty fields, a
/// line that is only "", CRLF, blank lines, a last line with or without its newline; and its refusals with exact
/// messages: an unclosed quote (naming the line reached), a ragged row (naming its row, counting records, not lines),
/// a repeated column name, a file without a header or without data rows, a one-column header that holds semicolons or tabs.
/// </summary>
public class CsvParsingTests
{
    private static string[][] Columns(CsvTable t) => [.. t.Header.Select(t.Text)];

    [Fact]
    public void Doubled_quotes_inside_quotes_are_one_quote()
    {
        var t = CsvTable.Parse("a,b\n\"x \"\"y\"\" z\",\"\"\"\"\n");
        Assert.Equal(["x \"y\" z"], t.Text("a"));
        Assert.Equal(["\""], t.Text("b"));
    }

    [Fact]
    public void Commas_and_newlines_inside_quotes_are_text()
    {
        var t = CsvTable.Parse("a,b\n\"l1\nl2\",\"1,5\"\n\"q\",2\n");
        Assert.Equal(2, t.RowCount);
        Assert.Equal(["l1\nl2", "q"], t.Text("a"));
        Assert.Equal(["1,5", "2"], t.Text("b"));
    }

    [Fact]
    public void A_quote_closing_the_last_field_of_a_file_without_a_final_newline_ends_it()
    {
        var t = CsvTable.Parse("a,b\n1,\"x\"");
        Assert.Equal(["x"], t.Text("b"));
        Assert.Equal(["y\""], CsvTable.Parse("a\n\"y\"\"\"").Text("a"));
    }

    [Fact]
    public void A_quote_after_the_start_of_a_field_is_text()
    {
        Assert.Equal(["ab\"c\""], CsvTable.Parse("a\nab\"c\"\n").Text("a"));
    }

    [Fact]
    public void Empty_fields_and_an_empty_last_field_are_empty_strings()
    {
        var t = CsvTable.Parse("a,b,c\n,,\n1,,3\n4,5,\n");
        Assert.Equal([["", "1", "4"], ["", "", "5"], ["", "3", ""]], Columns(t));
        Assert.Equal([["1"], [""]], Columns(CsvTable.Parse("a,b\n1,")));
    }

    [Fact]
    public void A_line_that_is_only_an_empty_quoted_field_is_a_row()
    {
        Assert.Equal(["", "z"], CsvTable.Parse("a\n\"\"\nz\n").Text("a"));
        Assert.Equal([""], CsvTable.Parse("a\n\"\"").Text("a"));
        Assert.Equal(["1"], CsvTable.Parse("a\n1").Text("a"));
    }

    [Fact]
    public void Blank_lines_before_between_and_after_rows_are_skipped()
    {
        var t = CsvTable.Parse("\n\na,b\n1,2\n\n3,4\n\n\n");
        Assert.Equal(["a", "b"], t.Header);
        Assert.Equal([["1", "3"], ["2", "4"]], Columns(t));
        Assert.Equal(2, CsvTable.Parse("a\n1\n\n2\n\n").RowCount);
    }

    [Fact]
    public void Crlf_ends_lines_like_lf_and_stays_inside_quotes()
    {
        var t = CsvTable.Parse("a,b\r\n1,2\r\n\"x\r\ny\",4\r\n");
        Assert.Equal([["1", "x\r\ny"], ["2", "4"]], Columns(t));
        Assert.Equal(2, t.RowCount);
    }

    [Fact]
    public void Header_names_are_trimmed_and_cells_are_not()
    {
        var t = CsvTable.Parse(" a ,\tb\t\n 1 , 2\n", "s.csv");
        Assert.Equal(["a", "b"], t.Header);
        Assert.Equal([" 1 "], t.Text("a"));
        Assert.Equal("s.csv", t.Source);
        Assert.Equal("csv", CsvTable.Parse("a\n1\n").Source);
        Assert.True(t.Has("a"));
        Assert.False(t.Has(" a "));
    }

    [Fact]
    public void Cells_are_read_row_by_row_in_column_order()
    {
        var t = CsvTable.Parse("x,y,z\n1,2,3\n4,5,6\n7,8,9\n");
        Assert.Equal(3, t.RowCount);
        Assert.Equal([["1", "4", "7"], ["2", "5", "8"], ["3", "6", "9"]], Columns(t));
    }

    [Fact]
    public void An_unclosed_quote_names_the_line_the_text_reached()
    {
        // lines: 1 a,b  2 "x  3 y",1  4 "z  5 (after the last newline, still inside the quote)
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b\n\"x\ny\",1\n\"z\n", "q.csv"));
        Assert.Equal("q.csv: a quoted field opened before line 5 is never closed", e.Message);
        e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b\n1,\"2", "q.csv"));
        Assert.Equal("q.csv: a quoted field opened before line 2 is never closed", e.Message);
    }

    [Fact]
    public void A_ragged_row_is_named_by_its_record_number()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b\n1,2\n3\n4,5\n", "r.csv"));
        Assert.Equal("r.csv, row 3: has 1 fields, the header has 2", e.Message);
        Assert.Equal(3, e.Row);
        e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b\n1,2,3\n", "r.csv"));
        Assert.Equal("r.csv, row 2: has 3 fields, the header has 2", e.Message);
        // a quoted newline makes two lines of one record: the row number counts records
        e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b\n\"x\ny\",2\n3\n", "r.csv"));
        Assert.Equal("r.csv, row 3: has 1 fields, the header has 2", e.Message);
        // the last row, without a final newline
        e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b\n1,2\n3,4,", "r.csv"));
        Assert.Equal("r.csv, row 3: has 3 fields, the header has 2", e.Message);
    }

    [Fact]
    public void A_repeated_column_name_is_refused_on_row_1()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b, a\n1,2,3\n", "d.csv"));
        Assert.Equal("d.csv, row 1: column name 'a' appears twice in the header", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\r\n\n")]
    public void A_text_without_a_header_is_refused(string text)
    {
        Assert.Equal("e.csv: the file has no header row", Assert.Throws<DataFormatException>(() => CsvTable.Parse(text, "e.csv")).Message);
    }

    [Theory]
    [InlineData("a,b")]
    [InlineData("a,b\n")]
    [InlineData("a,b\n\n\n")]
    public void A_header_without_data_rows_is_refused(string text)
    {
        Assert.Equal("e.csv: the file has a header but no data rows", Assert.Throws<DataFormatException>(() => CsvTable.Parse(text, "e.csv")).Message);
    }

    [Fact]
    public void A_one_column_header_with_semicolons_or_tabs_is_refused_with_the_header_shown()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Parse("a\tb\n1\t2\n", "t.csv"));
        Assert.Equal("t.csv, row 1: the header 'a\\tb' is one column containing tabs: the file looks separated by tabs, but this reader needs commas; " +
            "convert it (e.g. save it as CSV with commas, and decimal commas as points)", e.Message);
        Assert.Contains("the header ';a' is one column containing semicolons: the file looks separated by semicolons",
            Assert.Throws<DataFormatException>(() => CsvTable.Parse(";a\n1\n", "s.csv")).Message);   // the separator first
        Assert.Contains("containing semicolons", Assert.Throws<DataFormatException>(() => CsvTable.Parse("x;y\tz\n1\n", "s.csv")).Message);
        Assert.Contains("containing tabs", Assert.Throws<DataFormatException>(() => CsvTable.Parse("x\ty;z\n1\n", "s.csv")).Message);
    }

    [Fact]
    public void Semicolons_in_a_header_of_several_columns_are_names()
    {
        var t = CsvTable.Parse("a;b,c\n1,2\n");
        Assert.Equal(["a;b", "c"], t.Header);
        Assert.Equal(["x"], CsvTable.Parse("x\nx\n").Header);
    }

    [Fact]
    public void Load_reads_the_file_and_names_it_in_errors()
    {
        using var dir = new TempDir();
        var path = dir.File("l.csv");
        File.WriteAllText(path, "a,b\n1,2\n");
        var t = CsvTable.Load(path);
        Assert.Equal(path, t.Source);
        Assert.Equal(["2"], t.Text("b"));
        Assert.Equal($"{path}: there is no column 'c' (columns: a, b)", Assert.Throws<DataFormatException>(() => t.Text("c")).Message);
    }
}
