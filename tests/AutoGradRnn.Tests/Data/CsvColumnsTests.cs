namespace AutoGradRnn.Tests;

/// <summary>
/// Converting CSV columns: numbers (trimmed, invariant culture) with errors naming the file, the row (the header is
/// row 1) and the column for a missing, non-numeric or non-finite value and a hint for missing-value markers and
/// decimal commas; IsNumeric / IsTimestamp need every value (not just one); timestamps; a missing column lists the columns.
/// </summary>
public class CsvColumnsTests
{
    [Fact]
    public void Numbers_are_trimmed_and_read_in_the_invariant_culture()
    {
        var t = CsvTable.Parse("t,v\n1, 2.5 \n2,-1e3\n3,\"4\"\n");
        Assert.Equal([2.5, -1000, 4], t.Numbers("v"));
        Assert.Equal([1.0, 2, 3], t.Numbers("t"));
    }

    /// <summary>Row 2 holds a good value; the cell under test is column v of row 3.</summary>
    [Theory]
    [InlineData("", "the value is missing")]
    [InlineData("  ", "the value is missing")]
    [InlineData("abc", "'abc' is not a number")]
    [InlineData(" NA ", "'NA' is not a number (a marker of a missing value? fill or drop that row)")]
    [InlineData("n/a", "'n/a' is not a number (a marker of a missing value? fill or drop that row)")]
    [InlineData("NULL", "'NULL' is not a number (a marker of a missing value? fill or drop that row)")]
    [InlineData("-", "'-' is not a number (a marker of a missing value? fill or drop that row)")]
    [InlineData("?", "'?' is not a number (a marker of a missing value? fill or drop that row)")]
    [InlineData("\"2,5\"", "'2,5' is not a number (a decimal comma? write decimal points)")]
    [InlineData("\"a,b\"", "'a,b' is not a number")]
    [InlineData("--", "'--' is not a number")]
    [InlineData("1e999", "'1e999' is not a finite number")]
    [InlineData("-Infinity", "'-Infinity' is not a finite number")]
    [InlineData("NaN", "'NaN' is not a finite number")]
    public void A_bad_value_is_named_with_its_row_and_column(string cell, string detail)
    {
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Parse($"t,v\n0,1\n2,{cell}\n4,5\n", "n.csv").Numbers("v"));
        Assert.Equal($"n.csv, row 3, column 'v': {detail}", e.Message);
        Assert.Equal((3, "v"), (e.Row, e.Column));
    }

    [Fact]
    public void The_first_bad_value_is_named_by_its_own_row()
    {
        var t = CsvTable.Parse("v\n1\n2\n3\nx\ny\n", "n.csv");
        Assert.Equal("n.csv, row 5, column 'v': 'x' is not a number", Assert.Throws<DataFormatException>(() => t.Numbers("v")).Message);
        Assert.Equal("n.csv, row 2, column 'v': 'x' is not a number", Assert.Throws<DataFormatException>(() => CsvTable.Parse("v\nx\n1\n", "n.csv").Numbers("v")).Message);
        Assert.Equal("n.csv, row 2, column 'v': 'Infinity' is not a finite number", Assert.Throws<DataFormatException>(() => CsvTable.Parse("v\nInfinity\n1\n", "n.csv").Numbers("v")).Message);
    }

    [Theory]
    [InlineData("1,2,3", true)]
    [InlineData("x,2,3", false)]
    [InlineData("1,x,3", false)]
    [InlineData("1,2,x", false)]
    [InlineData("1,2,\"\"", false)]
    [InlineData("1,1e999,3", false)]
    [InlineData("1,NaN,3", false)]
    public void Is_numeric_needs_every_value_to_be_a_finite_number(string values, bool numeric)
    {
        var t = CsvTable.Parse("v\n" + values.Replace(',', '\n') + "\n");
        Assert.Equal(numeric, t.IsNumeric("v"));
    }

    [Fact]
    public void Why_not_numeric_names_the_first_bad_row_or_says_nothing()
    {
        var t = CsvTable.Parse("a,b,c,d,e\n1,1,x,1,1\n2,,y,NaN,\"2,5\"\n");
        Assert.Equal("", t.WhyNotNumeric("a"));
        Assert.Equal("row 3 is empty", t.WhyNotNumeric("b"));
        Assert.Equal("row 2 holds 'x'", t.WhyNotNumeric("c"));
        Assert.Equal("row 3 holds 'NaN' (a marker of a missing value? fill or drop that row)", t.WhyNotNumeric("d"));
        Assert.Equal("row 3 holds '2,5' (a decimal comma? write decimal points)", t.WhyNotNumeric("e"));
    }

    [Theory]
    [InlineData("2020-01-01T00:00:00,2020-01-02,2020-01-03 10:30", true)]
    [InlineData("x,2020-01-02,2020-01-03", false)]
    [InlineData("2020-01-01,x,2020-01-03", false)]
    [InlineData("2020-01-01,2020-01-02,x", false)]
    [InlineData("2020-01-01,2020-01-02,17", false)]
    [InlineData("1,2,3", false)]
    [InlineData("2020.01,2020.02,2020.03", false)]   // numbers that DateTime.TryParse would read as dates
    public void Is_timestamp_needs_every_value_to_be_a_date_and_not_a_number(string values, bool timestamps)
    {
        var t = CsvTable.Parse("t\n" + values.Replace(',', '\n') + "\n");
        Assert.Equal(timestamps, t.IsTimestamp("t"));
    }

    [Fact]
    public void Values_are_trimmed_before_they_are_judged()
    {
        var t = CsvTable.Parse("n,t,x\n 1 , 2020-01-01 ,1\n2 ,2020-01-02 , x \n");
        Assert.True(t.IsNumeric("n"));
        Assert.True(t.IsTimestamp("t"));
        Assert.True(t.StartsWithTimestamp("t"));
        Assert.Equal("row 3 holds 'x'", t.WhyNotNumeric("x"));
        Assert.Equal("row 2 is empty", CsvTable.Parse("v\n \n1\n").WhyNotNumeric("v"));
    }

    [Fact]
    public void Starts_with_timestamp_looks_at_the_first_value_only()
    {
        var t = CsvTable.Parse("a,b,c\n2020-01-01,x,2020.01\nx,2020-01-01,6\n");
        Assert.True(t.StartsWithTimestamp("a"));
        Assert.False(t.StartsWithTimestamp("b"));
        Assert.False(t.StartsWithTimestamp("c"));
    }

    [Fact]
    public void Timestamps_are_read_trimmed_and_a_bad_one_is_named_untrimmed_with_its_row()
    {
        var t = CsvTable.Parse("t,v\n 2020-01-01T10:00:00 ,1\n2020-01-02,2\n 2020-13-01 ,3\n", "d.csv");
        var e = Assert.Throws<DataFormatException>(() => t.Timestamps("t"));
        Assert.Equal("d.csv, row 4, column 't': ' 2020-13-01 ' is not a date/time", e.Message);
        var good = CsvTable.Parse("t\n 2020-01-01T10:00:00 \n2020-01-02\n").Timestamps("t");
        Assert.Equal([new DateTime(2020, 1, 1, 10, 0, 0), new DateTime(2020, 1, 2)], good);
    }

    [Fact]
    public void A_missing_column_is_refused_listing_the_columns()
    {
        var t = CsvTable.Parse("a, b ,c\n1,2,3\n", "m.csv");
        foreach (var read in new Action[] { () => t.Text("z"), () => t.Numbers("z"), () => t.IsNumeric("z"), () => t.WhyNotNumeric("z"), () => t.IsTimestamp("z"), () => t.Timestamps("z") })
            Assert.Equal("m.csv: there is no column 'z' (columns: a, b, c)", Assert.Throws<DataFormatException>(read).Message);
        Assert.Equal(["2"], t.Text("b"));
    }
}
