namespace AutoGradRnn.Tests;

public class ApplicationTests
{
    [Fact]
    public void Char_model_activations_have_one_row_per_character_for_every_state_leaf()
    {
        using var dir = new TempDir();
        var path = dir.File("m.safetensors");
        var text = string.Concat(Enumerable.Repeat("a quiet sea, a loud ship. ", 40));
        CharLanguageModel.Train(text, new CharModelOptions { Hidden = 6, Layers = 2, Steps = 3, Batch = 2, SequenceLength = 8 }, path);
        var activations = CharLanguageModel.Activations(path, "a sea");
        Assert.Equal(["[0].H", "[0].C", "[1].H", "[1].C"], activations.Select(a => a.Name));
        Assert.All(activations, a => Assert.Equal(new Shape(5, 6), a.Value.Shape));
        Assert.Contains("'Z' (U+005A) at position 0", Assert.Throws<ArgumentException>(() => CharLanguageModel.Activations(path, "Z")).Message);
    }

    [Fact]
    public void Char_model_reports_the_n_gram_baseline_on_the_characters_it_was_scored_on()
    {
        using var dir = new TempDir();
        // Every 4 characters of this text determine the next, so the 5-gram with the smallest k is nearly certain.
        var text = string.Concat(Enumerable.Repeat("a quiet sea, a loud ship. ", 40));
        var report = CharLanguageModel.Train(text, new CharModelOptions { Hidden = 6, Steps = 3, Batch = 2, SequenceLength = 8 }, dir.File("m.safetensors"));
        var n = Assert.IsType<NGramResult>(report.NGram);
        Assert.Equal(report.ValidationCharacters, n.Characters);
        Assert.Equal((5, 0.001), (n.Order, n.K));
        Assert.InRange(n.BitsPerCharacter, 0, 0.01);
        Assert.False(report.BeatsNGram);   // three steps of a 6-unit LSTM
    }

    [Fact]
    public void Char_model_learning_curve_has_validation_every_n_steps_and_at_the_last_with_the_mean_train_bpc_between()
    {
        using var dir = new TempDir();
        var text = string.Concat(Enumerable.Repeat("a quiet sea, a loud ship. ", 40));
        var report = CharLanguageModel.Train(text, new CharModelOptions { Hidden = 6, Steps = 5, Batch = 2, SequenceLength = 8, EvalEvery = 2 }, dir.File("m.safetensors"));
        var l = report.StepLosses;
        Assert.Equal([2L, 4L, 5L], report.Curve.Select(p => p.Step));
        Assert.Equal(Metrics.BitsPerCharacter((l[0] + l[1]) / 2), report.Curve[0].TrainBitsPerCharacter, 12);
        Assert.Equal(Metrics.BitsPerCharacter((l[2] + l[3]) / 2), report.Curve[1].TrainBitsPerCharacter, 12);
        Assert.Equal(Metrics.BitsPerCharacter(l[4]), report.Curve[2].TrainBitsPerCharacter, 12);
        Assert.Equal(report.ValidationBitsPerCharacter, report.Curve[2].ValidationBitsPerCharacter);
        Assert.All(report.Curve, p => Assert.InRange(p.ValidationBitsPerCharacter, 0.5, 10));

        // 0 means ten evaluations a run: every ⌈25 / 10⌉ = 3 steps, and the last.
        Assert.Equal(3, new CharModelOptions { Steps = 25 }.EvalInterval);
        Assert.Equal(1, new CharModelOptions { Steps = 3 }.EvalInterval);
        Assert.Throws<ArgumentOutOfRangeException>(() => CharLanguageModel.Train(text, new CharModelOptions { EvalEvery = -1 }, dir.File("x.safetensors")));
    }

    [Theory]
    [InlineData("rnn", CellKind.Rnn, "Rnn")]
    [InlineData("lstm", CellKind.Lstm, "Lstm")]
    [InlineData("gru", CellKind.GruResetAfter, "Gru")]
    [InlineData("peephole", CellKind.PeepholeLstm, "Peephole")]
    [InlineData("coupled", CellKind.CoupledLstm, "Coupled")]
    [InlineData("gru-essay", CellKind.Gru, "GruEssay")]
    public void Cell_kinds_keep_the_names_users_type_checkpoints_store_and_resume_files_record(string name, CellKind kind, string identity)
    {
        // The kinds were renamed after their types (issue 17); the strings outside the process must not follow.
        Assert.Equal(kind, CellKinds.Parse(name));
        Assert.Equal(kind, CellKinds.Parse(name.ToUpperInvariant()));
        Assert.Equal(name, CellKinds.Name(kind));
        Assert.Equal(identity, RunIdentity.Format(kind));
    }

    [Fact]
    public void A_checkpoint_saying_gru_loads_as_the_reset_after_gru()
    {
        using var dir = new TempDir();
        var path = dir.File("m.safetensors");
        var text = string.Concat(Enumerable.Repeat("a quiet sea, a loud ship. ", 40));
        CharLanguageModel.Train(text, new CharModelOptions { Cell = CellKind.GruResetAfter, Hidden = 4, Layers = 1, Steps = 2, Batch = 2, SequenceLength = 8 }, path);
        Assert.Equal("gru", SafeTensors.ReadHeader(path).Metadata["cell"]);
        Assert.Equal(CellKind.GruResetAfter, CharModelCheckpoint.Read(path).Cell);
    }

    [Fact]
    public void Text_and_csv_loaders_name_what_is_wrong()
    {
        using var dir = new TempDir();
        var empty = dir.File("empty.txt");
        File.WriteAllText(empty, "");
        Assert.Contains("the file is empty", Assert.Throws<DataFormatException>(() => TextCorpus.Load(empty)).Message);
        var latin1 = dir.File("latin1.txt");
        File.WriteAllBytes(latin1, [0x63, 0x61, 0x66, 0xE9, 0x0A]);
        Assert.Contains("not valid UTF-8 at byte 3 (0xE9)", Assert.Throws<DataFormatException>(() => TextCorpus.Load(latin1)).Message);

        var csv = CsvTable.Parse("t,v,\"note, quoted\"\n2000-01-01,1.5,\"a \"\"b\"\"\"\n2000-01-02,,x\n", "x.csv");
        Assert.Equal(["t", "v", "note, quoted"], csv.Header);
        Assert.Equal(["a \"b\"", "x"], csv.Text("note, quoted"));
        Assert.Equal("x.csv, row 3, column 'v': the value is missing", Assert.Throws<DataFormatException>(() => csv.Numbers("v")).Message);
        Assert.True(csv.IsTimestamp("t"));
        Assert.Contains("has 1 fields, the header has 2", Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b\n1\n")).Message);
        Assert.Contains("no data rows", Assert.Throws<DataFormatException>(() => CsvTable.Parse("a,b\n")).Message);
        Assert.Contains("never closed", Assert.Throws<DataFormatException>(() => CsvTable.Parse("a\n\"open\n")).Message);
    }

    [Fact]
    public void Forecast_periods_are_inferred_from_the_spacing_of_timestamps()
    {
        string Series(string start, TimeSpan step, int n) =>
            "time,value\n" + string.Concat(Enumerable.Range(0, n).Select(i => $"{DateTime.Parse(start, System.Globalization.CultureInfo.InvariantCulture) + step * i:s},{i}\n"));
        Assert.Equal([24, 168], Forecasting.InferPeriods(CsvTable.Parse(Series("2020-01-01", TimeSpan.FromHours(1), 10)), "", "h"));
        Assert.Equal([48, 336], Forecasting.InferPeriods(CsvTable.Parse(Series("2020-01-01", TimeSpan.FromMinutes(30), 10)), "", "h"));
        Assert.Equal([7, 365], Forecasting.InferPeriods(CsvTable.Parse(Series("2020-01-01", TimeSpan.FromDays(1), 10)), "", "d"));
        Assert.Contains("spacing of 7 minutes", Assert.Throws<DataFormatException>(() =>
            Forecasting.InferPeriods(CsvTable.Parse(Series("2020-01-01", TimeSpan.FromMinutes(7), 10)), "", "odd.csv")).Message);
        Assert.Contains("no timestamp column", Assert.Throws<DataFormatException>(() =>
            Forecasting.InferPeriods(CsvTable.Parse("a,b\n1,2\n3,4\n5,6\n"), "", "plain.csv")).Message);
    }
}
