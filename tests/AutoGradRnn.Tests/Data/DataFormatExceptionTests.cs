namespace AutoGradRnn.Tests;

/// <summary>
/// The message of a data error reads "file, row N, column 'c': detail", leaving out the row when it is 0 and the column
/// when it is empty; the parts are also kept as properties.
/// </summary>
public class DataFormatExceptionTests
{
    [Fact]
    public void The_message_names_the_file_the_row_and_the_column()
    {
        var e = new DataFormatException("m.csv", "'x' is not a number", 3, "load");
        Assert.Equal("m.csv, row 3, column 'load': 'x' is not a number", e.Message);
        Assert.Equal(("m.csv", 3, "load"), (e.File, e.Row, e.Column));
    }

    [Fact]
    public void Row_1_is_a_row_and_row_0_is_none()
    {
        Assert.Equal("m.csv, row 1: bad header", new DataFormatException("m.csv", "bad header", 1).Message);
        var e = new DataFormatException("m.csv", "the file is empty");
        Assert.Equal("m.csv: the file is empty", e.Message);
        Assert.Equal(("m.csv", 0, ""), (e.File, e.Row, e.Column));
    }

    [Fact]
    public void A_column_without_a_row_is_named_alone()
    {
        var e = new DataFormatException("t.csv", "the rows are not in time order", 0, "time");
        Assert.Equal("t.csv, column 'time': the rows are not in time order", e.Message);
        Assert.Equal(("t.csv", 0, "time"), (e.File, e.Row, e.Column));
        Assert.IsAssignableFrom<FormatException>(e);
    }
}
