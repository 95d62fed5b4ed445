using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AutoGradRnn.Cli.Tests;

/// <summary>
/// forecast against every naive (issue 19): the lag-1 naive is always scored, the best method and the best naive are
/// picked on validation, a model that does not beat the best naive is said so; --test-length, period 1, a too-short
/// series naming the flags, and the windows, kept epoch and chosen column reported.
/// </summary>
public class ForecastBaselineTests
{
    /// <summary>A daily CSV "time,temp,load" of <paramref name="n"/> rows with load = <paramref name="value"/>(t).</summary>
    private static string Daily(int n, Func<int, double> value)
    {
        var csv = new StringBuilder("time,temp,load\n");
        var start = new DateTime(2020, 1, 1);
        for (int t = 0; t < n; t++) csv.Append(CultureInfo.InvariantCulture, $"{start.AddDays(t):yyyy-MM-dd},{10 + t % 3},{value(t)}\n");
        return csv.ToString();
    }

    private static double[] RandomWalk(int n, int seed)
    {
        var random = new Random(seed);
        var y = new double[n];
        y[0] = 500;
        for (int t = 1; t < n; t++) y[t] = y[t - 1] + (random.NextDouble() - 0.5) * 20;
        return y;
    }

    private static JsonElement Results(TempDir dir) => JsonDocument.Parse(File.ReadAllText(dir.File("results.json"))).RootElement;

    private static double Mape(JsonElement scores, string method) =>
        scores.EnumerateArray().Single(s => s.GetProperty("Method").GetString() == method).GetProperty("Mape").GetDouble();

    [Fact]
    public void On_a_random_walk_the_lag_1_naive_wins_on_validation_and_the_run_says_the_model_does_not_beat_it()
    {
        using var dir = new TempDir();
        var walk = RandomWalk(400, 7);
        File.WriteAllText(dir.File("walk.csv"), Daily(400, t => walk[t]));
        var run = Cli.Run("forecast", "--csv", dir.File("walk.csv"), "--periods", "7", "--test-length", "70", "--hidden", "4", "--epochs", "2", "--out", dir.Path);
        Assert.True(run.Exit == 0, run.Err);
        var json = Results(dir);
        Assert.Equal("lag-1 naive", json.GetProperty("BestOnValidation").GetString());
        Assert.Equal("lag-1 naive", json.GetProperty("BestNaive").GetString());
        Assert.Equal(1, json.GetProperty("ReferencePeriod").GetInt32());     // the corrected baseline is chosen among all naives
        Assert.False(json.GetProperty("ModelBeatsBestNaive").GetBoolean());
        var validation = json.GetProperty("ValidationScores");
        Assert.True(Mape(validation, "lstm (corrects lag-1 naive)") >= Mape(validation, "lag-1 naive"));
        Assert.True(Mape(validation, "seasonal naive (7)") > Mape(validation, "lag-1 naive"));
        var verdict = json.GetProperty("Verdict").GetString()!;
        Assert.StartsWith("the LSTM does not beat the lag-1 naive on validation (MAPE ", verdict);
        Assert.EndsWith("; use the naive or more data", verdict);
        Assert.Contains(verdict, run.Out);
        Assert.Contains("* best on validation (MAPE): lag-1 naive", run.Out);
    }

    [Fact]
    public void On_a_seasonal_series_the_seasonal_naive_is_corrected_and_every_naive_is_scored_on_validation_and_test()
    {
        using var dir = new TempDir();
        var random = new Random(3);
        File.WriteAllText(dir.File("s.csv"), Daily(400, t => 200 + 50 * Math.Sin(2 * Math.PI * t / 7) + random.NextDouble()));
        var run = Cli.Run("forecast", "--csv", dir.File("s.csv"), "--periods", "7", "--test-length", "70", "--hidden", "4", "--epochs", "1", "--out", dir.Path);
        Assert.True(run.Exit == 0, run.Err);
        var json = Results(dir);
        Assert.Equal(7, json.GetProperty("ReferencePeriod").GetInt32());
        Assert.Equal("seasonal naive (7)", json.GetProperty("BestNaive").GetString());
        Assert.Equal([1, 7], json.GetProperty("Naives").EnumerateArray().Select(p => p.GetInt32()));
        string[] methods = ["lstm (corrects naive 7)", "lag-1 naive", "seasonal naive (7)"];
        Assert.Equal(methods, json.GetProperty("Scores").EnumerateArray().Select(s => s.GetProperty("Method").GetString()));
        Assert.Equal(methods, json.GetProperty("ValidationScores").EnumerateArray().Select(s => s.GetProperty("Method").GetString()));
        Assert.True(Mape(json.GetProperty("ValidationScores"), "seasonal naive (7)") < Mape(json.GetProperty("ValidationScores"), "lag-1 naive") / 5);
        Assert.Equal(["lag-1 naive", "seasonal naive (7)"], json.GetProperty("Baselines").EnumerateObject().Select(b => b.Name));
        foreach (var m in methods) Assert.Contains(m, run.Out);
    }

    [Fact]
    public void Period_1_is_accepted_and_test_length_is_exact()
    {
        using var dir = new TempDir();
        var random = new Random(5);
        File.WriteAllText(dir.File("s.csv"), Daily(300, t => 100 + 10 * Math.Sin(2 * Math.PI * t / 7) + random.NextDouble()));
        var run = Cli.Run("forecast", "--csv", dir.File("s.csv"), "--periods", "1,7", "--test-length", "63", "--hidden", "4", "--epochs", "1", "--out", dir.Path);
        Assert.True(run.Exit == 0, run.Err);
        var json = Results(dir);
        Assert.Equal([1, 7], json.GetProperty("Periods").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal([1, 7], json.GetProperty("Naives").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(7, json.GetProperty("Horizon").GetInt32());                 // the shortest period of at least 2
        Assert.Equal(300 - 63, json.GetProperty("TestStart").GetInt32());
        Assert.Equal(63, json.GetProperty("Actual").GetArrayLength());
        Assert.Contains("9 forecasts of 7 steps over the test period (rows 237–299)", run.Out);

        var refused = Cli.Run("forecast", "--csv", dir.File("s.csv"), "--periods", "7", "--test-length", "65", "--out", dir.Path);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("--test-length 65 is not a whole number of --horizon 7 (the default: the shortest period) forecasts; pass --test-length 63 (9 × 7) or 70 (10 × 7)", refused.Err);
        var both = Cli.Run("forecast", "--csv", dir.File("s.csv"), "--periods", "7", "--test-length", "63", "--test-fraction", "0.2", "--out", dir.Path);
        Assert.Equal(2, both.Exit);
        Assert.Contains("pass --test-fraction (0.2) or --test-length (63), not both", both.Err);
    }

    [Fact]
    public void Too_few_rows_for_the_defaults_names_the_flags_and_the_numbers_that_fit()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("d.csv"), Daily(1096, t => 100 + t % 7));   // three years, daily: periods 7 and 365, test 2 × 365 → 728
        var run = Cli.Run("forecast", "--csv", dir.File("d.csv"), "--out", dir.Path);
        Assert.Equal(2, run.Exit);
        Assert.Contains("1,096 rows are too few: a test period of 728 rows (the default: two cycles of the longest period, in whole horizons), a validation period of 364 and training of at least 407 " +
            "(the longest period 365 of --periods + --window 14 + 4 × --horizon 7) need 1,499; pass --test-length 455 or less (whole horizons; --test-fraction 0.415), " +
            "or drop 365 from --periods (--periods 7), or lower --window 14, or give at least 1,499 rows", run.Err);
        var fits = Cli.Run("forecast", "--csv", dir.File("d.csv"), "--test-length", "455", "--hidden", "2", "--epochs", "1", "--out", dir.Path);
        Assert.True(fits.Exit == 0, fits.Err);
    }

    [Fact]
    public void The_run_reports_its_training_windows_kept_epoch_and_chosen_column_with_the_alternatives()
    {
        using var dir = new TempDir();
        var random = new Random(9);
        File.WriteAllText(dir.File("s.csv"), Daily(400, t => 100 + 10 * Math.Sin(2 * Math.PI * t / 7) + random.NextDouble()));
        var run = Cli.Run("forecast", "--csv", dir.File("s.csv"), "--periods", "7", "--test-length", "70", "--hidden", "4", "--epochs", "1", "--out", dir.Path);
        Assert.True(run.Exit == 0, run.Err);
        // test 70, validation 35: training ends at row 295; origins every step from max(window 14, period 7) to 295 − 7.
        Assert.Contains("column 'load': the last numeric column (no --column given); other numeric columns: temp (pick one with --column)", run.Out);
        Assert.Contains("training: 275 windows of 14 steps (rows 0–294); validation: 5 forecasts (rows 295–329); early stopping kept epoch 1 of 1", run.Out);
        Assert.Contains("warning: early stopping kept epoch 1, the only one run: the model has seen the data once; raise --epochs", run.Out);
        var json = Results(dir);
        Assert.Equal(275, json.GetProperty("TrainingWindows").GetInt32());
        Assert.Equal(5, json.GetProperty("ValidationWindows").GetInt32());
        Assert.Equal(1, json.GetProperty("KeptEpoch").GetInt32());
        Assert.True(json.GetProperty("TargetInferred").GetBoolean());
        Assert.Equal(["temp"], json.GetProperty("OtherColumns").EnumerateArray().Select(c => c.GetString()));
        Assert.Single(json.GetProperty("Warnings").EnumerateArray());

        var named = Cli.Run("forecast", "--csv", dir.File("s.csv"), "--column", "load", "--periods", "7", "--test-length", "70", "--hidden", "4", "--epochs", "3", "--out", dir.Path);
        Assert.True(named.Exit == 0, named.Err);
        Assert.Contains("column 'load' (--column)", named.Out);
        Assert.False(Results(dir).GetProperty("TargetInferred").GetBoolean());
        Assert.Matches(@"early stopping kept epoch [1-3] of 3", named.Out);
    }
}
