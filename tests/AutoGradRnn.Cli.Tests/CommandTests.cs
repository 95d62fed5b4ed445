using System.Text.Json;

namespace AutoGradRnn.Cli.Tests;

/// <summary>Each command end to end at tiny sizes, through its real code path.</summary>
public class CommandTests
{
    [Fact]
    public void Train_char_then_sample_from_its_checkpoint()
    {
        using var dir = new TempDir();
        var text = dir.File("text.txt");
        File.WriteAllText(text, File.ReadAllText(Cli.Data("moby_dick.txt"))[..40_000]);
        var (exit, output, error) = Cli.Run("train-char", "--text", text, "--cell", "gru", "--hidden", "16", "--steps", "15", "--seq", "16", "--batch", "4", "--eval-every", "5", "--out", dir.Path);
        Assert.True(exit == 0, error);
        Assert.Contains("validation bits per character:", output);
        Assert.Matches(@"step 15/15, train [0-9.]+ bpc,", output);   // progress in the unit of the result
        Assert.Matches(@"train-char: step 5/15: train [0-9.]+ bpc, validation [0-9.]+ bpc", output);
        using var results = JsonDocument.Parse(File.ReadAllText(dir.File("results.json")));
        Assert.Equal(15, results.RootElement.GetProperty("StepLosses").GetArrayLength());
        Assert.True(results.RootElement.GetProperty("ValidationBitsPerCharacter").GetDouble() > 0);
        // The n-gram baseline on the same characters, and the plain verdict (15 steps of a 16-unit GRU lose to it).
        Assert.Matches(@"n-gram baseline \(n = [1-5], k = [0-9.]+, counted on the training part, n and k chosen on validation\): [0-9.]+ bits per character on the same", output);
        Assert.Contains("the model does not beat the n-gram baseline", output);
        var ngram = results.RootElement.GetProperty("NGram");
        Assert.Equal(results.RootElement.GetProperty("ValidationCharacters").GetInt32(), ngram.GetProperty("Characters").GetInt32());
        Assert.InRange(ngram.GetProperty("Order").GetInt32(), 1, 5);
        Assert.InRange(ngram.GetProperty("BitsPerCharacter").GetDouble(), 1, Math.Log2(200));
        Assert.Equal(35, ngram.GetProperty("Grid").GetArrayLength());
        Assert.False(results.RootElement.GetProperty("BeatsNGram").GetBoolean());
        // The learning curve: validation every 5 steps, the last point being the reported validation bpc.
        var curve = results.RootElement.GetProperty("Curve").EnumerateArray().ToList();
        Assert.Equal([5L, 10L, 15L], curve.Select(p => p.GetProperty("Step").GetInt64()));
        Assert.All(curve, p => Assert.True(p.GetProperty("TrainBitsPerCharacter").GetDouble() > 0));
        Assert.Equal(results.RootElement.GetProperty("ValidationBitsPerCharacter").GetDouble(), curve[^1].GetProperty("ValidationBitsPerCharacter").GetDouble());
        Assert.Contains("\"validation\"", File.ReadAllText(dir.File("chart.html")));
        Assert.Contains("Plotly.newPlot", File.ReadAllText(dir.File("chart.html")));

        var sample = Cli.Run("sample", "--checkpoint", dir.File("model.safetensors"), "--length", "40", "--prime", "Call me", "--temperature", "0.5");
        Assert.True(sample.Exit == 0, sample.Err);
        Assert.StartsWith("Call me", sample.Out);
        Assert.Equal("Call me".Length + 40, sample.Out.TrimEnd('\n').Length);
        var again = Cli.Run("sample", "--checkpoint", dir.File("model.safetensors"), "--length", "40", "--prime", "Call me", "--temperature", "0.5");
        Assert.Equal(sample.Out, again.Out);                          // seeded
    }

    [Fact]
    public void Train_char_with_zoneout_variational_dropout_and_dropout_is_reproducible_and_samples_with_the_expectation()
    {
        using var dir = new TempDir();
        var text = dir.File("text.txt");
        File.WriteAllText(text, File.ReadAllText(Cli.Data("moby_dick.txt"))[..20_000]);
        string[] args = ["train-char", "--text", text, "--layers", "2", "--hidden", "8", "--steps", "4", "--seq", "8", "--batch", "2",
            "--dropout", "0.2", "--variational-dropout", "0.2", "--zoneout", "0.1", "--threads", "1"];
        var first = Cli.Run([.. args, "--out", dir.File("a")]);
        Assert.True(first.Exit == 0, first.Err);
        var second = Cli.Run([.. args, "--out", dir.File("b")]);
        var plain = Cli.Run([.. args[..^8], "--threads", "1", "--out", dir.File("c")]);
        double Bpc(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File(run), "results.json"))).RootElement.GetProperty("ValidationBitsPerCharacter").GetDouble();
        Assert.Equal(Bpc("a"), Bpc("b"));                  // the masks come from (seed, step): bit-reproducible
        Assert.NotEqual(Bpc("a"), Bpc("c"));               // and they are used
        // The checkpoint records zoneout, so sampling steps with its expectation; a checkpoint from before has none (0).
        Assert.Equal("0.1", SafeTensors.ReadHeader(Path.Combine(dir.File("a"), "model.safetensors")).Metadata["zoneout"]);
        var sample = Cli.Run("sample", "--checkpoint", Path.Combine(dir.File("a"), "model.safetensors"), "--length", "20", "--prime", "Call");
        Assert.True(sample.Exit == 0, sample.Err);
        Assert.Equal(4 + 20, sample.Out.TrimEnd('\n').Length);
    }

    [Fact]
    public void Train_char_preset_quality_is_printed_and_flags_given_with_it_override_it()
    {
        using var dir = new TempDir();
        var text = dir.File("text.txt");
        File.WriteAllText(text, File.ReadAllText(Cli.Data("moby_dick.txt"))[..20_000]);
        var run = Cli.Run("train-char", "--text", text, "--preset", "quality", "--hidden", "8", "--layers", "1", "--steps", "2", "--seq", "8", "--batch", "2", "--threads", "1", "--out", dir.Path);
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("preset quality: --hidden 8 --layers 1 --seq 8 --dropout 0.3 --init pytorch --steps 2 --eval-every 500", run.Out);
        var bad = Cli.Run("train-char", "--text", text, "--preset", "fast");
        Assert.Equal(2, bad.Exit);
        Assert.StartsWith("autogradrnn: --preset: Argument 'fast' not recognized. Must be one of: 'none' 'quality'", bad.Err);
    }

    /// <summary>The measured defaults of docs/results.md ("Defaults"): the help shows each command's.</summary>
    [Theory]
    [InlineData("train-char", "pytorch")]
    [InlineData("forecast", "forget1")]
    [InlineData("classify", "forget1")]
    [InlineData("long-memory", "chrono")]
    public void Each_command_s_init_default_is_the_measured_one(string command, string init)
    {
        var help = Cli.Run(command, "--help");
        Assert.Matches($@"--init <[^>]+>\s+.*\[default: {init}\]", string.Join(" ", help.Out.Split('\n').Select(l => l.Trim())));
    }

    [Fact]
    public void Forecast_and_classify_take_zoneout_and_variational_dropout_reproducibly()
    {
        using var dir = new TempDir();
        string[] forecast = ["forecast", "--csv", Cli.Data("us_births_daily_1969_1988.csv"), "--horizon", "7", "--hidden", "4", "--epochs", "1", "--threads", "1", "--zoneout", "0.1", "--variational-dropout", "0.1"];
        var a = Cli.Run([.. forecast, "--out", dir.File("fa")]);
        Assert.True(a.Exit == 0, a.Err);
        var b = Cli.Run([.. forecast, "--out", dir.File("fb")]);
        string Json(string run) => File.ReadAllText(Path.Combine(dir.File(run), "results.json"));
        double Mape(string run) => JsonDocument.Parse(Json(run)).RootElement.GetProperty("Scores")[0].GetProperty("Mape").GetDouble();
        Assert.Equal(Mape("fa"), Mape("fb"));
        string[] classify = ["classify", "--csv", Cli.Data("surnames_by_language.csv"), "--hidden", "4", "--epochs", "1", "--threads", "1", "--zoneout", "0.2", "--variational-dropout", "0.2"];
        var c = Cli.Run([.. classify, "--out", dir.File("ca")]);
        Assert.True(c.Exit == 0, c.Err);
        var d = Cli.Run([.. classify, "--out", dir.File("cb")]);
        Assert.Equal(JsonDocument.Parse(Json("ca")).RootElement.GetProperty("Accuracy").GetDouble(), JsonDocument.Parse(Json("cb")).RootElement.GetProperty("Accuracy").GetDouble());
    }

    [Fact]
    public void Forecast_taylor_and_births_against_seasonal_naive()
    {
        using var dir = new TempDir();
        var taylor = Cli.Run("forecast", "--csv", Cli.Data("taylor_electricity_demand_halfhourly.csv"), "--horizon", "48", "--hidden", "8", "--epochs", "1", "--out", dir.Path);
        Assert.True(taylor.Exit == 0, taylor.Err);
        Assert.Contains("periods [48,336]", taylor.Out);
        Assert.Contains("14 forecasts of 48 steps", taylor.Out);
        Assert.Contains("seasonal naive (336)", taylor.Out);
        Assert.Contains("1.73", taylor.Out);                               // the previous-week naive MAPE on the last two weeks
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("results.json")));
        Assert.Equal(14 * 48, json.RootElement.GetProperty("Forecast").GetArrayLength());

        var births = Cli.Run("forecast", "--csv", Cli.Data("us_births_daily_1969_1988.csv"), "--horizon", "7", "--hidden", "8", "--epochs", "1", "--out", dir.Path);
        Assert.True(births.Exit == 0, births.Err);
        Assert.Contains("births: periods [7,365]", births.Out);            // inferred from the year/month/date columns
    }

    [Fact]
    public void Long_memory_runs_both_tasks()
    {
        using var dir = new TempDir();
        var recall = Cli.Run("long-memory", "--task", "recall", "--gaps", "2,3", "--cells", "rnn,lstm", "--init", "default,chrono", "--seeds", "1", "--steps", "5", "--hidden", "8", "--out", dir.Path);
        Assert.True(recall.Exit == 0, recall.Err);
        Assert.Contains("lstm/chrono gap 3 seed 0: accuracy", recall.Out);
        var adding = Cli.Run("long-memory", "--task", "adding", "--lengths", "10", "--cells", "gru", "--seeds", "2", "--steps", "5", "--hidden", "8", "--out", dir.Path);
        Assert.True(adding.Exit == 0, adding.Err);
        Assert.Contains("gru/chrono T 10 seed 0: MSE", adding.Out);
        Assert.Contains("\"sequenceLength\": 10", File.ReadAllText(Path.Combine(dir.Path, "results.json")), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"Task\": \"Adding\"", File.ReadAllText(Path.Combine(dir.Path, "results.json")));   // enums by name
    }

    /// <summary>The two tasks' lengths have two names: recall's gap (key to question) and adding's sequence length T.</summary>
    [Fact]
    public void Long_memory_names_the_recall_gap_and_the_adding_length_differently()
    {
        using var dir = new TempDir();
        var wrong = Cli.Run("long-memory", "--task", "adding", "--gaps", "10", "--steps", "5", "--out", dir.Path);
        Assert.Equal(2, wrong.Exit);
        Assert.Contains("the adding problem takes --lengths", wrong.Err);
        var other = Cli.Run("long-memory", "--task", "recall", "--lengths", "10", "--steps", "5", "--out", dir.Path);
        Assert.Equal(2, other.Exit);
        Assert.Contains("recall takes --gaps", other.Err);
        var recall = Cli.Run("long-memory", "--task", "recall", "--placement", "first", "--gaps", "4", "--cells", "rnn", "--seeds", "1", "--steps", "3", "--hidden", "4", "--out", dir.Path);
        Assert.True(recall.Exit == 0, recall.Err);
        Assert.Contains("rnn/chrono gap 4 seed 0", recall.Out);
        Assert.Contains("\"sequenceLength\": 6", File.ReadAllText(Path.Combine(dir.Path, "results.json")), StringComparison.OrdinalIgnoreCase);   // key, 4 distractors, question
    }

    /// <summary>--seed picks the first seed (seed s is the same run whichever list it is in); --lr and --clip reach the trainer.</summary>
    [Fact]
    public void Long_memory_takes_a_first_seed_a_learning_rate_and_a_clip()
    {
        var o = new LongMemoryOptions { Gaps = [3], Cells = [CellKind.Lstm], Seeds = 2, Hidden = 6, Steps = 6, Batch = 8, EvaluationSize = 32 };
        var two = LongMemory.Run(o);
        var second = LongMemory.Run(o with { FirstSeed = 1, Seeds = 1 });
        Assert.Equal([0, 1], two.Select(r => r.Seed));
        Assert.Equal(two[1], Assert.Single(second));
        Assert.NotEqual(two[0].FinalLoss, LongMemory.Run(o with { Seeds = 1, LearningRate = 0.1 })[0].FinalLoss);
        Assert.NotEqual(two[0].FinalLoss, LongMemory.Run(o with { Seeds = 1, Clip = 1e-3 })[0].FinalLoss);

        using var dir = new TempDir();
        var run = Cli.Run("long-memory", "--gaps", "3", "--cells", "lstm", "--seeds", "2", "--seed", "5", "--lr", "0.02", "--clip", "0", "--steps", "3", "--hidden", "4", "--out", dir.Path);
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("lstm/chrono gap 3 seed 5: accuracy", run.Out);
        Assert.Contains("lstm/chrono gap 3 seed 6: accuracy", run.Out);
    }

    [Fact]
    public void The_lstm_really_learns_the_recall_task_at_a_small_gap()
    {
        var results = LongMemory.Run(new LongMemoryOptions
        {
            Task = MemoryTask.Recall, Placement = KeyPlacement.Random, Gaps = [4], Cells = [CellKind.Lstm], Seeds = 1, Steps = 400, Hidden = 16,
        });
        Assert.True(results[0].Metric > 0.9, $"accuracy {results[0].Metric} should be far above chance {results[0].Chance}");
    }

    [Fact]
    public void Classify_surnames_beats_the_majority_class()
    {
        using var dir = new TempDir();
        var (exit, output, error) = Cli.Run("classify", "--csv", Cli.Data("surnames_by_language.csv"), "--hidden", "16", "--epochs", "1", "--out", dir.Path);
        Assert.True(exit == 0, error);
        Assert.Contains("majority class 'Italian'", output);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("results.json")));
        Assert.True(json.RootElement.GetProperty("Accuracy").GetDouble() > json.RootElement.GetProperty("MajorityAccuracy").GetDouble());
    }

    /// <summary>
    /// Columns are chosen by evidence, not position: in a label,sentence file the old defaults (text = first, label = last)
    /// trained a model with one class per sentence. Now the label is the column with the fewest distinct values and the
    /// text the one with the longest texts, and the choice is printed and stored.
    /// </summary>
    [Fact]
    public void Classify_chooses_its_columns_from_the_data_and_says_so()
    {
        using var dir = new TempDir();
        var rng = new Random(3);
        string[] words = ["good", "bad", "fine", "awful", "great", "poor", "nice", "dull"];
        var lines = new List<string> { "label,sentence" };
        for (int i = 0; i < 120; i++)
        {
            bool positive = i % 2 == 0;
            var sentence = string.Join(' ', Enumerable.Range(0, 6).Select(_ => words[2 * rng.Next(4) + (positive ? 0 : 1)])) + $" number {i}";
            lines.Add($"{(positive ? "pos" : "neg")},{sentence}");
        }
        var csv = Path.Combine(dir.Path, "sentences.csv");
        File.WriteAllLines(csv, lines);
        var run = Cli.Run("classify", "--csv", csv, "--hidden", "8", "--epochs", "1", "--out", Path.Combine(dir.Path, "out"));
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("columns: text 'sentence', label 'label'", run.Out);
        Assert.Contains("fewest distinct values (2)", run.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "out", "results.json")));
        Assert.Equal(2, json.RootElement.GetProperty("Labels").GetArrayLength());
        Assert.Equal("label", json.RootElement.GetProperty("Columns").GetProperty("Label").GetString());

        // Naming the sentence as the label: one class per row cannot be learned, and the message names the flag.
        var refused = Cli.Run("classify", "--csv", csv, "--label-column", "sentence", "--text-column", "label", "--out", Path.Combine(dir.Path, "out2"));
        Assert.Equal(2, refused.Exit);
        Assert.Contains("has 120 distinct values in 120 rows", refused.Err);
        Assert.Contains("--label-column", refused.Err);
        Assert.Contains("label (2 values)", refused.Err);
    }

    [Fact]
    public void Gradcheck_verifies_every_op_and_cell()
    {
        var (exit, output, error) = Cli.Run("gradcheck");
        Assert.True(exit == 0, error + output);
        // One line per registry case (the same table the property tests run), each passed, and the count.
        Assert.Contains($"{GradCheckSuite.Cases.Count} of {GradCheckSuite.Cases.Count} gradient checks passed", output);
        var lines = output.Split('\n');
        Assert.All(GradCheckSuite.Cases, c => Assert.Contains(lines, l => l.Contains(c.Name) && l.Contains(c.Kind) && l.Contains("passed")));
        Assert.Contains("layer-norm lstm", output);
        Assert.Contains("cross-entropy (masked)", output);
    }

    [Theory]
    [InlineData("text file 'missing.txt' does not exist", "train-char", "--text", "missing.txt")]
    [InlineData("'banana' not recognized", "train-char", "--text", "x.txt", "--cell", "banana")]
    [InlineData("--hidden -3 must be ≥ 1", "train-char", "--text", "DATA:moby_dick.txt", "--hidden", "-3")]
    [InlineData("--steps 0 must be ≥ 1", "train-char", "--text", "DATA:moby_dick.txt", "--steps", "0")]
    [InlineData("--eval-every -1 must be ≥ 0", "train-char", "--text", "DATA:moby_dick.txt", "--eval-every", "-1")]
    [InlineData("there is no column 'nope'", "forecast", "--csv", "DATA:surnames_by_language.csv", "--column", "nope")]
    [InlineData("has no numeric column to forecast", "forecast", "--csv", "DATA:surnames_by_language.csv")]
    [InlineData("'not-a-number' is not a number", "forecast", "--csv", "DATA:surnames_by_language.csv", "--column", "surname")]
    [InlineData("--periods: 'x' is not a comma-separated list", "forecast", "--csv", "DATA:taylor_electricity_demand_halfhourly.csv", "--periods", "x")]
    [InlineData("--gaps: '5,,x' is not a comma-separated list", "long-memory", "--gaps", "5,,x")]
    [InlineData("unknown cell 'lstn'", "long-memory", "--cells", "lstm,lstn")]
    [InlineData("--init: unknown initialisation 'glorot'", "long-memory", "--init", "glorot")]
    [InlineData("temperature 0 must be", "sample", "--checkpoint", "DATA:moby_dick.txt", "--temperature", "0")]
    [InlineData("the header claims", "sample", "--checkpoint", "DATA:moby_dick.txt")]
    [InlineData("--threads 0 must be", "classify", "--csv", "DATA:surnames_by_language.csv", "--threads", "0")]
    [InlineData("Option '--csv' is required", "forecast")]
    public void Bad_arguments_exit_2_with_one_line_and_no_stack_trace(string expected, params string[] args)
    {
        var resolved = args.Select(a => a.StartsWith("DATA:", StringComparison.Ordinal) ? Cli.Data(a[5..]) : a).ToArray();
        if (expected.Contains("'not-a-number'")) expected = "is not a number";
        var (exit, _, error) = Cli.Run(resolved);
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        Assert.StartsWith("autogradrnn: ", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", error);
    }
}
