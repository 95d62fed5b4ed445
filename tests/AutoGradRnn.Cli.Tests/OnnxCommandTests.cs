namespace AutoGradRnn.Cli.Tests;

/// <summary>export-onnx, and sample --onnx through ONNX Runtime: the same text as sample --checkpoint, and one-line errors.</summary>
public class OnnxCommandTests
{
    /// <summary>A tiny two-layer LSTM char model (state h and c, two layers) trained in <paramref name="dir"/>: model.safetensors.</summary>
    private static string Train(TempDir dir, string cell = "lstm", params string[] extra)
    {
        var text = dir.File("text.txt");
        File.WriteAllText(text, File.ReadAllText(Cli.Data("moby_dick.txt"))[..20_000]);
        var (exit, _, error) = Cli.Run(["train-char", "--text", text, "--cell", cell, "--hidden", "12", "--layers", "2", "--steps", "12", "--seq", "16", "--batch", "4", "--threads", "1", "--out", dir.Path, .. extra]);
        Assert.True(exit == 0, error);
        return dir.File("model.safetensors");
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Export_onnx_then_sample_onnx_gives_the_text_sample_checkpoint_gives(string cell)
    {
        using var dir = new TempDir();
        var checkpoint = Train(dir, cell);
        var onnx = dir.File("model.onnx");
        var export = Cli.Run("export-onnx", "--checkpoint", checkpoint, "--out", onnx);
        Assert.True(export.Exit == 0, export.Err);
        Assert.True(File.Exists(onnx));
        Assert.Contains($"wrote {onnx} ({new FileInfo(onnx).Length:N0} bytes): {cell} 2×12", export.Out);
        bool c = cell == "lstm";
        Assert.Contains(c ? "inputs:  ids int64 [batch, time]; h0 float [2, batch, 12]; c0 float [2, batch, 12]" : "inputs:  ids int64 [batch, time]; h0 float [2, batch, 12]\n", export.Out);
        Assert.Matches(c ? @"outputs: logits float \[batch, time, \d+\]; hn float \[2, batch, 12\]; cn float \[2, batch, 12\]" : @"outputs: logits float \[batch, time, \d+\]; hn float \[2, batch, 12\]\n", export.Out);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp*"));   // written atomically: no temporary file left

        foreach (var (prime, temperature, seed) in new[] { ("Call me", "0.5", "3"), ("", "1", "0"), ("the", "0.05", "11"), ("The whale", "2", "-7") })
        {
            string[] common = ["--length", "120", "--prime", prime, "--temperature", temperature, "--seed", seed];
            var library = Cli.Run(["sample", "--checkpoint", checkpoint, .. common]);
            var ort = Cli.Run(["sample", "--onnx", onnx, .. common]);
            Assert.True(library.Exit == 0, library.Err);
            Assert.True(ort.Exit == 0, ort.Err);
            Assert.Equal(prime.Length + 120, ort.Out.TrimEnd('\n').Length);
            Assert.Equal(library.Out, ort.Out);
        }
        // The seed is used: another seed gives another text (through both paths alike).
        Assert.NotEqual(Cli.Run("sample", "--onnx", onnx, "--length", "60", "--seed", "1").Out, Cli.Run("sample", "--onnx", onnx, "--length", "60", "--seed", "2").Out);
    }

    [Fact]
    public void Export_onnx_writes_next_to_the_checkpoint_by_default()
    {
        using var dir = new TempDir();
        var checkpoint = Train(dir);
        var export = Cli.Run("export-onnx", "--checkpoint", checkpoint);
        Assert.True(export.Exit == 0, export.Err);
        Assert.True(File.Exists(dir.File("model.onnx")));
    }

    private static void OneLine(string expected, (int Exit, string Out, string Err) run)
    {
        Assert.Equal(2, run.Exit);
        Assert.StartsWith("autogradrnn: ", run.Err);
        Assert.Contains(expected, run.Err);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", run.Err);
    }

    [Fact]
    public void Bad_onnx_inputs_exit_2_with_one_line_naming_the_file()
    {
        using var dir = new TempDir();
        var checkpoint = Train(dir);
        var onnx = dir.File("model.onnx");
        Assert.Equal(0, Cli.Run("export-onnx", "--checkpoint", checkpoint, "--out", onnx).Exit);
        var bytes = File.ReadAllBytes(onnx);

        OneLine($"ONNX model '{dir.File("missing.onnx")}' does not exist", Cli.Run("sample", "--onnx", dir.File("missing.onnx")));

        var text = dir.File("text.txt");
        OneLine($"ONNX model '{text}': ONNX Runtime cannot load it (not an ONNX model, or truncated or corrupted): ", Cli.Run("sample", "--onnx", text));

        var truncated = dir.File("truncated.onnx");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        OneLine($"ONNX model '{truncated}': ONNX Runtime cannot load it", Cli.Run("sample", "--onnx", truncated));

        var corrupted = dir.File("corrupted.onnx");
        var damaged = (byte[])bytes.Clone();
        for (int i = 0; i < 64; i++) damaged[i] = 0xFF;   // the model's header fields: not protobuf any more
        File.WriteAllBytes(corrupted, damaged);
        OneLine($"ONNX model '{corrupted}': ONNX Runtime cannot load it", Cli.Run("sample", "--onnx", corrupted));

        var plain = dir.File("plain.onnx");
        OnnxExport.Save(OnnxExport.Network(RecurrentLayers<RnnState<float>, float>.Of([Rnn<float>.Create(3, 4, 1)])), plain);
        OneLine($"ONNX model '{plain}': not a character model from export-onnx: its metadata has no 'model', 'cell', 'hidden', 'layers', 'vocabulary'", Cli.Run("sample", "--onnx", plain));

        // Our metadata on another graph: a vocabulary that is not a JSON array, then one that is (the graph's names are checked).
        string Foreign(string name, string vocabulary)
        {
            var path = dir.File(name);
            var metadata = new Dictionary<string, string> { ["model"] = "char-lm", ["cell"] = "rnn", ["hidden"] = "4", ["layers"] = "1", ["vocabulary"] = vocabulary };
            OnnxExport.Save(OnnxExport.Network(RecurrentLayers<RnnState<float>, float>.Of([Rnn<float>.Create(3, 4, 1)]), new OnnxExportOptions { Metadata = metadata }), path);
            return path;
        }
        var unlisted = Foreign("unlisted.onnx", "abc");
        OneLine($"ONNX model '{unlisted}': its metadata 'vocabulary' is not a JSON array of characters (one Unicode scalar value each)", Cli.Run("sample", "--onnx", unlisted));
        var renamed = Foreign("renamed.onnx", "[\"a\",\"b\",\"c\"]");
        OneLine($"ONNX model '{renamed}': not a character model from export-onnx: its graph has no 'ids', 'h0', 'logits' (a rnn model needs inputs ids, h0 and outputs logits, hn)", Cli.Run("sample", "--onnx", renamed));

        OneLine("sample: give --checkpoint or --onnx, not both: drop --onnx to sample with the library, or --checkpoint to sample through ONNX Runtime",
            Cli.Run("sample", "--onnx", onnx, "--checkpoint", checkpoint));
        OneLine("sample: give --checkpoint (a train-char checkpoint) or --onnx (a model written by export-onnx)", Cli.Run("sample"));
        OneLine("--temperature 0 must be > 0", Cli.Run("sample", "--onnx", onnx, "--temperature", "0"));
        OneLine("is not in the model's vocabulary", Cli.Run("sample", "--onnx", onnx, "--prime", "☃"));
    }

    [Theory]
    [InlineData("lstm", "--zoneout", "0.1")]
    [InlineData("coupled", "--seed", "3")]
    public void A_zoneout_or_coupled_model_exports_as_a_traced_step_and_samples_the_same_text(string cell, string flag, string value)
    {
        using var dir = new TempDir();
        var checkpoint = Train(dir, cell, flag, value);
        var onnx = dir.File("model.onnx");
        var export = Cli.Run("export-onnx", "--checkpoint", checkpoint, "--out", onnx);
        Assert.True(export.Exit == 0, export.Err);
        Assert.Contains("inputs:  ids int64 [1, 1]; h0 float [2, 1, 12]", export.Out);   // the traced sampling step: batch 1, time 1
        string[] common = ["--length", "80", "--prime", "Call", "--temperature", "0.7", "--seed", "5"];
        var library = Cli.Run(["sample", "--checkpoint", checkpoint, .. common]);
        var ort = Cli.Run(["sample", "--onnx", onnx, .. common]);
        Assert.True(ort.Exit == 0, ort.Err);
        Assert.Equal(library.Out, ort.Out);
    }

    [Fact]
    public void Forecast_and_classify_write_their_trained_model_as_onnx_with_onnx()
    {
        using var dir = new TempDir();
        var forecast = dir.File("forecaster.onnx");
        var f = Cli.Run("forecast", "--csv", Cli.Data("us_births_daily_1969_1988.csv"), "--horizon", "7", "--hidden", "4", "--epochs", "1", "--threads", "1", "--out", dir.File("f"), "--onnx", forecast);
        Assert.True(f.Exit == 0, f.Err);
        Assert.Contains($"wrote {forecast} ({new FileInfo(forecast).Length:N0} bytes of ONNX", f.Out);
        var classify = dir.File("classifier.onnx");
        var c = Cli.Run("classify", "--csv", Cli.Data("surnames_by_language.csv"), "--hidden", "4", "--epochs", "1", "--threads", "1", "--out", dir.File("c"), "--onnx", classify, "--cell", "gru");
        Assert.True(c.Exit == 0, c.Err);
        foreach (var (path, model, input) in new[] { (forecast, "forecaster", "history"), (classify, "classifier", "ids") })
        {
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);   // ONNX Runtime's own checks of the file
            Assert.Equal(model, session.ModelMetadata.CustomMetadataMap["model"]);
            Assert.Contains(input, session.InputMetadata.Keys);
        }
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp*"));
    }

    [Fact]
    public void Forecast_with_onnx_refuses_zoneout_before_training()
    {
        using var dir = new TempDir();
        var run = Cli.Run("forecast", "--csv", Cli.Data("us_births_daily_1969_1988.csv"), "--horizon", "7", "--hidden", "4", "--epochs", "1", "--threads", "1",
            "--zoneout", "0.1", "--out", dir.File("f"), "--onnx", dir.File("f.onnx"));
        Assert.Equal(2, run.Exit);
        Assert.StartsWith("autogradrnn: ", run.Err);
        Assert.Contains("--zoneout", run.Err);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(dir.File(Path.Combine("f", "results.json"))));   // refused before any training
        Assert.False(File.Exists(dir.File("f.onnx")));
    }
}
