namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    /// <summary>E100–E129: data integrity (text, time series, CSV, checkpoint metadata).</summary>
    private static IReadOnlyList<ErrorCase> DataCases { get; } =
    [
        // ---- text as Unicode scalar values
        new("E100", "text", "a vocabulary holding half of a surrogate pair", typeof(ArgumentException), _ => new CharVocabulary("ab\uD83D")),
        new("E101", "text", "text to encode holding a lone surrogate", typeof(ArgumentException), _ => CharVocabulary.FromText("abc\n").Encode("ab\ncab\uDC33")),
        new("E102", "text", "an unknown emoji on line 2 (positions count characters, not UTF-16 units)", typeof(ArgumentException), _ => CharVocabulary.FromText("ab😀\n").Encode("a😀b\nb🐳")),
        // ---- checkpoint metadata against the tensors present, before anything is allocated
        new("E103", "checkpoints", "a character checkpoint whose metadata says hidden=abc", typeof(CheckpointException), d => CharLanguageModel.Sample(CharCheckpoint(d, ("hidden", "abc")), 5, 1, "", 0)),
        new("E104", "checkpoints", "metadata claiming hidden=40000 over tensors of 4 (no 25 GB template)", typeof(CheckpointException), d => CharLanguageModel.Sample(CharCheckpoint(d, ("hidden", "40000")), 5, 1, "", 0)),
        new("E105", "checkpoints", "metadata claiming more layers than the file holds", typeof(CheckpointException), d => CharLanguageModel.Activations(CharCheckpoint(d, ("layers", "3")), "ab")),
        new("E106", "checkpoints", "metadata whose vocabulary has a character twice", typeof(CheckpointException), d => CharLanguageModel.Sample(CharCheckpoint(d, ("vocabulary", "abca")), 5, 1, "", 0)),
        new("E107", "checkpoints", "metadata naming an unknown cell", typeof(CheckpointException), d => CharLanguageModel.Activations(CharCheckpoint(d, ("cell", "lstn")), "ab")),
        new("E108", "checkpoints", "metadata whose vocabulary size differs from the head's", typeof(CheckpointException), d => CharLanguageModel.Sample(CharCheckpoint(d, ("vocabulary", "abcd")), 5, 1, "", 0)),
        // ---- time series: order, duplicates, spacing, gaps (checked even with --periods)
        new("E109", "time series", "two rows with the same timestamp", typeof(DataFormatException), d => Forecast(d, Hourly(0, 1, 2, 2, 3, 4))),
        new("E110", "time series", "rows in descending order, with --periods given", typeof(DataFormatException), d => Forecast(d, Hourly(5, 4, 3, 2, 1, 0))),
        new("E111", "time series", "a missing block of rows", typeof(DataFormatException), d => Forecast(d, Hourly(0, 1, 2, 6, 7, 8, 10, 11))),
        new("E112", "time series", "a row off the regular step", typeof(DataFormatException), d => Forecast(d, "time,v\n2020-01-01T00:00:00,1\n2020-01-01T01:00:00,2\n2020-01-01T01:30:00,3\n2020-01-01T02:30:00,4\n")),
        new("E113", "time series", "year/month/day columns holding month 13", typeof(DataFormatException), d => Forecast(d, "year,month,day,v\n2020,12,31,1\n2020,13,1,2\n")),
        new("E114", "time series", "a date column with one value that is not a date", typeof(DataFormatException), d => Forecast(d, "time,v\n2020-01-01,1\n2020-01-02,2\n2020-01-3x,3\n")),
        // ---- CSV column inference
        new("E115", "csv", "a CSV separated by semicolons", typeof(DataFormatException), d => CsvTable.Load(Write(d, "s.csv", "time;load\n2020-01-01;1,5\n"))),
        new("E116", "csv", "a CSV separated by tabs", typeof(DataFormatException), d => CsvTable.Load(Write(d, "s.csv", "time\tload\n2020-01-01\t1.5\n"))),
        new("E117", "csv", "no numeric column to forecast because of one NA", typeof(DataFormatException), d => Forecast(d, "time,load\n2020-01-01T00:00:00,1\n2020-01-01T01:00:00,NA\n")),
        new("E118", "csv", "a value with a decimal comma", typeof(DataFormatException), d => CsvTable.Load(Write(d, "m.csv", "t,v\n1,2.5\n2,\"2,5\"\n")).Numbers("v")),
        new("E119", "csv", "a CSV whose only numeric columns are its year/month/day (the dates are never the default target)", typeof(DataFormatException), d => Forecast(d, "year,month,day,label\n2020,1,1,x\n2020,1,2,y\n")),
        new("E122", "csv", "classify with one text of 20,000 characters (its batch would be padded to it)", typeof(DataFormatException), d =>
            SequenceClassification.Run(Write(d, "c.csv", "name,label\nab,x\n" + new string('a', 20_000) + ",y\ncd,x\n"), new ClassifierOptions())),
        new("E123", "csv", "classify on a CSV with one column (the text would be its own label)", typeof(DataFormatException), d =>
            SequenceClassification.Run(Write(d, "c.csv", "name\nab\ncd\n"), new ClassifierOptions())),
        new("E124", "csv", "classify with --text-column and --label-column naming the same column", typeof(DataFormatException), d =>
            SequenceClassification.Run(Write(d, "c.csv", "name,label\nab,x\ncd,y\n"), new ClassifierOptions { TextColumn = "name", LabelColumn = "name" })),
        new("E126", "csv", "classify with a label column that has a value per row (a sentence, an id)", typeof(DataFormatException), d =>
            SequenceClassification.Run(Write(d, "c.csv", "label,sentence\nx,ab cd\ny,ef gh\nx,ij kl\n"), new ClassifierOptions { LabelColumn = "sentence" })),
        new("E125", "checkpoints", "saving metadata that holds half a surrogate pair (UTF-8 cannot store it)", typeof(ArgumentException), d =>
            SafeTensors.Save(d.File("m.safetensors"), [new NamedTensor<float>("w", Tensor.Zeros<float>(2))], new Dictionary<string, string> { ["vocabulary"] = "ab\uD83D" })),
        // ---- the command line
        new("E120", "cli", "autogradrnn forecast --csv with a gap, without --allow-gaps", null, d => Cli("forecast", "--csv", Write(d, "g.csv", Hourly(0, 1, 2, 6, 7, 8)), "--periods", "2")),
        new("E121", "cli", "autogradrnn sample --checkpoint whose metadata claims hidden=40000", null, d => Cli("sample", "--checkpoint", CharCheckpoint(d, ("hidden", "40000")))),
    ];

    private sealed record CharLm(Stacked<LstmState<float>, float> Rnn, Linear<float> Head);

    /// <summary>A valid LSTM character checkpoint (hidden 4, one layer, vocabulary "abc") with one metadata entry replaced.</summary>
    private static string CharCheckpoint(TempDir dir, (string Key, string Value) change)
    {
        var meta = new Dictionary<string, string> { ["model"] = "char-lm", ["cell"] = "lstm", ["hidden"] = "4", ["layers"] = "1", ["vocabulary"] = "abc" };
        meta[change.Key] = change.Value;
        var path = dir.File("char.safetensors");
        Checkpoint<float>.Save(path, new CharLm(Stacked<LstmState<float>, float>.Of(Lstm<float>.Create(3, 4, 1)), Linear<float>.Create(4, 3, 2)), meta);
        return path;
    }

    /// <summary>A CSV "time,v" of hourly rows at the given hours of 2020-01-01.</summary>
    private static string Hourly(params int[] hours) =>
        "time,v\n" + string.Concat(hours.Select((h, i) => $"2020-01-01T{h:00}:00:00,{i + 1}\n"));

    private static void Forecast(TempDir dir, string csv) =>
        Forecasting.Run(Write(dir, "series.csv", csv), new ForecastOptions { Periods = [2], Epochs = 1 });
}
