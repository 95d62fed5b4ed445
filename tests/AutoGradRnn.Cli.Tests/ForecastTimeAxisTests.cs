using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AutoGradRnn.Cli.Tests;

/// <summary>
/// forecast --allow-gaps: a series with missing hours is refused without the flag (naming the first gap) and, with it,
/// filled and reported on the console and in results.json; a file without a time column says its order was not checked.
/// </summary>
public class ForecastTimeAxisTests
{
    private static string Series(Func<int, bool> keep, bool withTime = true)
    {
        var csv = new StringBuilder(withTime ? "time,load\n" : "load\n");
        var start = new DateTime(2021, 1, 1);
        for (int i = 0; i < 24 * 12; i++)
            if (keep(i))
                csv.Append(CultureInfo.InvariantCulture, $"{(withTime ? $"{start.AddHours(i):s}," : "")}{100 + 10 * Math.Sin(2 * Math.PI * i / 24)}\n");
        return csv.ToString();
    }

    [Fact]
    public void Gaps_are_refused_without_the_flag_and_filled_and_reported_with_it()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("g.csv"), Series(i => i is not (50 or 51 or 52)));
        var refused = Cli.Run("forecast", "--csv", dir.File("g.csv"), "--periods", "24", "--hidden", "4", "--epochs", "1", "--out", dir.Path);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("3 steps of 1 h missing between 2021-01-03T01:00:00 (row 51) and 2021-01-03T05:00:00 (row 52)", refused.Err);
        Assert.Contains("pass --allow-gaps", refused.Err);

        var filled = Cli.Run("forecast", "--csv", dir.File("g.csv"), "--periods", "24", "--hidden", "4", "--epochs", "1", "--allow-gaps", "--out", dir.Path);
        Assert.True(filled.Exit == 0, filled.Err);
        Assert.Contains("time column 'time': filled 3 missing steps of 1 h in 1 gap by linear interpolation, from 2021-01-03T02:00:00 to 2021-01-03T04:00:00", filled.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("results.json")));
        var time = json.RootElement.GetProperty("Time");
        Assert.Equal(3, time.GetProperty("FilledSteps").GetInt32());
        Assert.Equal("2021-01-03T02:00:00", time.GetProperty("FirstFilled").GetString());
        Assert.Equal("2021-01-03T04:00:00", time.GetProperty("LastFilled").GetString());
    }

    [Fact]
    public void A_series_without_a_time_column_says_its_order_was_not_checked()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("p.csv"), Series(_ => true, withTime: false));
        var run = Cli.Run("forecast", "--csv", dir.File("p.csv"), "--periods", "24", "--hidden", "4", "--epochs", "1", "--out", dir.Path);
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("time order not checked: no timestamp column", run.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("results.json")));
        Assert.False(json.RootElement.GetProperty("Time").GetProperty("OrderChecked").GetBoolean());
    }
}
