using System.Globalization;
using AutoGradRnn.Applications;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests.Onnx;

/// <summary>
/// The forecaster and the classifier exported whole (normaliser, seasonal phases, naive and correction; embedding, lengths,
/// head and softmax): ONNX Runtime's outputs equal our models' predictions over random sizes, cells, layers, series, origins
/// and lengths, and a real run's kept model exports to a graph that reproduces the run's own test forecasts and predictions.
/// </summary>
[Properties(Arbitrary = new[] { typeof(ApplicationExportTests.Cases) }, MaxTest = 30)]
public class ApplicationExportTests
{
    /// <summary>The cells the applications offer that ONNX has operators for.</summary>
    private static readonly CellKind[] Native = [CellKind.Rnn, CellKind.Lstm, CellKind.GruResetAfter, CellKind.PeepholeLstm, CellKind.Gru];

    public sealed record ForecastCase(CellKind Cell, int Batch, int Window, int Horizon, int[] Seasonal, int Reference, int Covariates, int Hidden, int Layers,
        double Offset, double Scale, int Seed)
    {
        public override string ToString() =>
            $"{Cell} B{Batch} W{Window} H{Horizon} periods [{string.Join(",", Seasonal)}] reference {Reference} covariates {Covariates} hidden {Hidden} layers {Layers} offset {Offset} scale {Scale} seed {Seed}";
    }

    public sealed record ClassifierCase(CellKind Cell, int[] Lengths, int Vocabulary, int Embedding, int Hidden, int Layers, int Classes, int Seed)
    {
        public override string ToString() =>
            $"{Cell} lengths [{string.Join(",", Lengths)}] vocabulary {Vocabulary} embedding {Embedding} hidden {Hidden} layers {Layers} classes {Classes} seed {Seed}";
    }

    public static class Cases
    {
        public static Arbitrary<ForecastCase> Forecasts() => Arb.From(
            from cell in Gen.Elements(Native)
            from batch in Gen.Choose(1, 4) from window in Gen.Choose(1, 8) from horizon in Gen.Choose(1, 6)
            from periods in Gen.Choose(0, 2) from drawn in Gen.ArrayOf(Gen.Choose(2, 12), periods) let seasonal = drawn.Distinct().ToArray()
            from reference in Gen.Elements([1, .. seasonal])
            from covariates in Gen.Choose(0, 2) from hidden in Gen.Choose(1, 8) from layers in Gen.Choose(1, 2)
            from offset in Gen.Elements(0.0, 50.0, -3000.0) from scale in Gen.Elements(0.01, 1.0, 400.0)
            from seed in Gen.Choose(0, 100_000)
            select new ForecastCase(cell, batch, window, horizon, seasonal, reference, covariates, hidden, layers, offset, scale, seed));

        public static Arbitrary<ClassifierCase> Classifiers() => Arb.From(
            from cell in Gen.Elements(Native)
            from batch in Gen.Choose(1, 5) from lengths in Gen.ArrayOf(Gen.Choose(0, 9), batch)
            from vocabulary in Gen.Choose(1, 12) from embedding in Gen.Choose(1, 6) from hidden in Gen.Choose(1, 8)
            from layers in Gen.Choose(1, 2) from classes in Gen.Choose(2, 5) from seed in Gen.Choose(0, 100_000)
            select new ClassifierCase(cell, lengths, vocabulary, embedding, hidden, layers, classes, seed));
    }

    /// <summary>Builds the shared network of one kind: <c>layers</c> cells and a head, with the given regularisation.</summary>
    private sealed class Network(int input, int hidden, int layers, int outputs, long seed, RecurrentRegularisation regularisation, string command) : ICellVisitor<FinalStateNetwork>
    {
        public FinalStateNetwork Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create) =>
            new FinalStateNetwork<TState>([.. Enumerable.Range(0, layers).Select(l => create(l == 0 ? input : hidden, hidden, seed + 1000 * l))],
                Linear<float>.Create(hidden, outputs, seed + 7), regularisation, command);
    }

    /// <summary>The network of a forecaster (<paramref name="command"/> "forecast") or a classifier ("classify"), as their runs build it.</summary>
    private static FinalStateNetwork Build(CellKind cell, int input, int hidden, int layers, int outputs, long seed, double zoneout = 0, string command = "forecast") =>
        CellKinds.Visit(cell, new CellInit(), new Network(input, hidden, layers, outputs, seed, new RecurrentRegularisation { Zoneout = zoneout }, command));

    private static Forecaster RandomForecaster(ForecastCase c, Rng rng, double zoneout = 0)
    {
        var covariates = Enumerable.Range(0, c.Covariates).Select(k => (c.Offset * k + rng.NextDouble(), c.Scale * (0.5 + rng.NextDouble()))).ToArray();
        var scaling = new ForecastScaling(c.Offset + c.Scale * (rng.NextDouble() - 0.5), c.Scale * (0.5 + rng.NextDouble()), c.Scale * (0.2 + rng.NextDouble()),
            covariates, c.Seasonal, c.Reference);
        var network = Build(c.Cell, scaling.Features, c.Hidden, c.Layers, c.Horizon, c.Seed, zoneout);
        return new Forecaster("load", [.. Enumerable.Range(0, c.Covariates).Select(k => $"c{k}")], c.Cell, c.Window, c.Horizon, scaling, network);
    }

    /// <summary>1e-5 in the network's units (std_Δ) and the rounding of a float32 output of the forecast's size.</summary>
    private static double Tolerance(Forecaster f, double forecast) => 1e-5 * f.Scaling.ChangeStd + Math.Abs(forecast) / (1 << 23);

    /// <summary>A value in float32 (the graph's input type), so both sides read the same number.</summary>
    private static double F(double v) => (float)v;

    /// <summary>
    /// The forecaster's ONNX graph from raw windows equals <see cref="Forecaster.Forecast(double[], double[][], long)"/>. Both
    /// normalise in double and run the network in float32; the network's float32 result (the correction, in units of std_Δ)
    /// may differ by 1e-5 as everywhere, and the graph's output is a float32, rounded at the series' magnitude: the tolerance
    /// is 1e-5 × std_Δ + 2⁻²³ × |forecast| (two float32 roundings). The naive part is exact.
    /// </summary>
    [Property]
    public void Onnx_runtime_forecasts_what_the_forecaster_forecasts(ForecastCase c)
    {
        var rng = new Rng(c.Seed);
        var forecaster = RandomForecaster(c, rng);
        int longest = c.Seasonal.Length > 0 ? c.Seasonal.Max() : 1;
        // Origins from the first possible (row W, where the early changes are 0) to well past the reference, at every phase.
        var origins = Enumerable.Range(0, c.Batch).Select(_ => (long)(c.Window + rng.NextInt(c.Reference + 2 * longest + 3))).ToArray();
        var histories = Enumerable.Range(0, c.Batch).Select(_ => Enumerable.Range(0, forecaster.History).Select(_ => F(c.Offset + c.Scale * (4 * rng.NextDouble() - 2))).ToArray()).ToArray();
        var covariates = Enumerable.Range(0, c.Batch).Select(_ => Enumerable.Range(0, c.Covariates)
            .Select(k => Enumerable.Range(0, c.Window).Select(_ => F(c.Offset * k + c.Scale * (4 * rng.NextDouble() - 2))).ToArray()).ToArray()).ToArray();
        var ours = forecaster.Forecast(histories, covariates, origins);

        var ort = RunForecaster(ForecasterOnnx.Export(forecaster), forecaster, histories, covariates, origins);
        for (int b = 0; b < c.Batch; b++)
            for (int h = 0; h < c.Horizon; h++)
            {
                double tolerance = Tolerance(forecaster, ours[b][h]);
                Assert.Equal((float)histories[b][c.Window + h % c.Reference], ort["naive_forecast"][b, h]);
                Assert.True(Math.Abs(ort["forecast"][b, h] - ours[b][h]) <= tolerance,
                    $"{c}: origin {origins[b]} step {h}: ONNX Runtime {ort["forecast"][b, h]} but ours {ours[b][h]} (tolerance {tolerance})");
            }
    }

    private static IReadOnlyDictionary<string, Tensor<float>> RunForecaster(byte[] model, Forecaster f, double[][] histories, double[][][] covariates, long[] origins)
    {
        int batch = histories.Length;
        var feeds = new List<OrtRunner.Feed>
        {
            OrtRunner.Feed.Of("history", Tensor.FromArray(histories.SelectMany(h => h.Select(v => (float)v)).ToArray(), batch, f.History)),
            OrtRunner.Feed.Int64("origin", origins, batch),
        };
        if (f.CovariateColumns.Count > 0)
            feeds.Add(OrtRunner.Feed.Of("covariates", Tensor.FromArray(
                covariates.SelectMany(cov => Enumerable.Range(0, f.Window).SelectMany(i => cov.Select(column => (float)column[i]))).ToArray(), batch, f.Window, f.CovariateColumns.Count)));
        return OrtRunner.Run(model, [.. feeds]);
    }

    /// <summary>
    /// The classifier's ONNX graph from character ids and lengths equals <see cref="Classifier"/>'s logits and probabilities
    /// (float32 on both sides, same operations: 1e-5), lengths 0 included (the zero state, as our mask keeps it).
    /// </summary>
    [Property]
    public void Onnx_runtime_classifies_as_the_classifier_does(ClassifierCase c)
    {
        var rng = new Rng(c.Seed);
        var vocabulary = new CharVocabulary(string.Concat(Enumerable.Range(0, c.Vocabulary).Select(k => (char)('a' + k))));
        var classifier = new Classifier([.. Enumerable.Range(0, c.Classes).Select(k => $"class {k}")], vocabulary, c.Cell,
            Embedding<float>.Create(c.Vocabulary, c.Embedding, c.Seed + 1), Build(c.Cell, c.Embedding, c.Hidden, c.Layers, c.Classes, c.Seed + 2, command: "classify"));
        int time = Math.Max(1, c.Lengths.Max());
        var ids = Enumerable.Range(0, c.Lengths.Length * time).Select(_ => rng.NextInt(c.Vocabulary)).ToArray();
        // The padding holds random ids too: neither side may read it.
        var logits = classifier.Logits(ids, c.Lengths, time);

        var ort = OrtRunner.Run(ClassifierOnnx.Export(classifier),
            OrtRunner.Feed.Int64("ids", [.. ids.Select(i => (long)i)], c.Lengths.Length, time), OrtRunner.Feed.Int32("sequence_lens", c.Lengths, c.Lengths.Length));
        TensorAssert.Close(logits, ort["logits"], 1e-5, 1e-5);
        TensorAssert.Close(Ops.Softmax(logits), ort["probabilities"], 1e-5, 1e-5);
    }

    [Fact]
    public void A_forecast_runs_kept_model_and_its_onnx_graph_reproduce_the_runs_test_forecasts()
    {
        using var dir = new TempDir();
        var csv = dir.File("load.csv");
        int n = 240;
        var rng = new Rng(3);
        var y = Enumerable.Range(0, n).Select(t => Math.Round(1000 + 200 * Math.Sin(2 * Math.PI * t / 24) + 30 * rng.NextNormal(), 2)).ToArray();
        var temperature = Enumerable.Range(0, n).Select(t => Math.Round(15 + 5 * Math.Cos(2 * Math.PI * t / 24) + rng.NextNormal(), 2)).ToArray();
        File.WriteAllText(csv, "time,temperature,load\n" + string.Concat(Enumerable.Range(0, n).Select(t =>
            string.Create(CultureInfo.InvariantCulture, $"{new DateTime(2020, 1, 1).AddHours(t):s},{temperature[t]},{y[t]}\n"))));
        foreach (var cell in new[] { CellKind.Lstm, CellKind.GruResetAfter })
        {
            var report = Forecasting.Run(csv, new ForecastOptions { Periods = [24], Horizon = 6, Window = 12, Covariates = ["temperature"], Hidden = 4, Epochs = 2, Cell = cell });
            var model = report.Model!;
            Assert.Equal((6, 12, report.ReferencePeriod, "load"), (model.Horizon, model.Window, model.ReferencePeriod, model.Target));
            var origins = report.Origins.Select(o => (long)o).ToArray();
            var histories = report.Origins.Select(o => y[(o - model.History)..o]).ToArray();
            var covariates = report.Origins.Select(o => new[] { temperature[(o - model.Window)..o] }).ToArray();
            var ours = model.Forecast(histories, covariates, origins).SelectMany(f => f).ToArray();
            Assert.Equal(report.Forecast.Length, ours.Length);
            for (int i = 0; i < ours.Length; i++) Assert.Equal(report.Forecast[i], ours[i], 1e-9 * 1000);

            var bytes = ForecasterOnnx.Export(model);
            var metadata = Metadata(bytes);
            Assert.Equal(("12", "6", "load", "temperature", Forecasting.NaiveName(report.ReferencePeriod), "24", CellKinds.Name(cell)),
                (metadata["window"], metadata["horizon"], metadata["target"], metadata["covariates"], metadata["naive"], metadata["seasonal_periods"], metadata["cell"]));
            var ort = RunForecaster(bytes, model, histories, covariates, origins);
            var onnx = ort["forecast"].AsSpan().ToArray();
            for (int i = 0; i < ours.Length; i++) Assert.True(Math.Abs(onnx[i] - report.Forecast[i]) <= Tolerance(model, report.Forecast[i]), $"{cell} forecast {i}: ONNX Runtime {onnx[i]}, the run {report.Forecast[i]}");
            var single = model.Forecast(histories[0], covariates[0], origins[0]);
            for (int h = 0; h < 6; h++) Assert.Equal(ours[h], single[h], 1e-9 * 1000);
        }
    }

    [Fact]
    public void A_classify_runs_kept_model_and_its_onnx_graph_give_the_same_probabilities()
    {
        using var dir = new TempDir();
        var csv = dir.File("names.csv");
        var rng = new Rng(5);
        string Word(string letters) => string.Concat(Enumerable.Range(0, 2 + rng.NextInt(6)).Select(_ => letters[rng.NextInt(letters.Length)]));
        var rows = Enumerable.Range(0, 120).Select(i => i % 2 == 0 ? (Word("abcde"), "first") : (Word("vwxyz"), "second")).ToArray();
        File.WriteAllText(csv, "name,kind\n" + string.Concat(rows.Select(r => $"{r.Item1},{r.Item2}\n")));
        var report = SequenceClassification.Run(csv, new ClassifierOptions { Hidden = 5, Embedding = 3, Epochs = 1, Cell = CellKind.Lstm });
        var model = report.Model!;
        Assert.Equal(["first", "second"], model.Labels);
        string[] texts = ["abc", "zyxwv", "a", "q", "cab?"];   // "q" and "?" are unknown: dropped, as the run drops them ("q" becomes empty)
        var encoded = texts.Select(model.Vocabulary.EncodeKnown).ToArray();
        int time = encoded.Max(e => e.Length);
        var ids = encoded.SelectMany(e => e.Concat(Enumerable.Repeat(0, time - e.Length)).Select(i => (long)i)).ToArray();
        var bytes = ClassifierOnnx.Export(model);
        var metadata = Metadata(bytes);
        Assert.Equal(["first", "second"], System.Text.Json.JsonSerializer.Deserialize<string[]>(metadata["labels"])!);
        Assert.Equal(model.Vocabulary.Characters, string.Concat(System.Text.Json.JsonSerializer.Deserialize<string[]>(metadata["vocabulary"])!));
        var ort = OrtRunner.Run(bytes,
            OrtRunner.Feed.Int64("ids", ids, texts.Length, time), OrtRunner.Feed.Int32("sequence_lens", [.. encoded.Select(e => e.Length)], texts.Length));
        TensorAssert.Close(model.Logits(texts), ort["logits"], 1e-5, 1e-5);
        TensorAssert.Close(model.Probabilities(texts), ort["probabilities"], 1e-5, 1e-5);
        Assert.Equal(texts.Length, model.Predict(texts).Count);
    }

    [Fact]
    public void The_check_before_training_refuses_exactly_what_the_export_of_the_trained_model_refuses()
    {
        foreach (var kind in Enum.GetValues<CellKind>())
            foreach (var zoneout in new[] { 0, 0.2 })
            {
                var c = new ForecastCase(kind, 1, 3, 2, [4], 4, 1, 3, 1, 0, 1, 1);
                var export = Record.Exception(() => ForecasterOnnx.Export(RandomForecaster(c, new Rng(1), zoneout)));
                var check = Record.Exception(() => ForecasterOnnx.Check(new ForecastOptions { Cell = kind, Zoneout = zoneout }));
                Assert.Equal(export?.Message, check?.Message);
                var classifier = new Classifier(["a", "b"], new CharVocabulary("xy"), kind, Embedding<float>.Create(2, 2, 1), Build(kind, 2, 3, 1, 2, 1, zoneout, "classify"));
                var classifierExport = Record.Exception(() => ClassifierOnnx.Export(classifier));
                Assert.Equal(classifierExport?.Message, Record.Exception(() => ClassifierOnnx.Check(new ClassifierOptions { Cell = kind, Zoneout = zoneout }))?.Message);
                bool refused = zoneout > 0 || kind == CellKind.CoupledLstm;
                Assert.Equal(refused, export is OnnxExportException);
                Assert.Equal(refused, classifierExport is OnnxExportException);
                if (zoneout == 0 && refused) Assert.Contains("train with --cell rnn, lstm, gru, peephole, gru-essay to export", export!.Message);
            }
    }

    /// <summary>The model's metadata_props, as ONNX Runtime reads them.</summary>
    private static Dictionary<string, string> Metadata(byte[] model)
    {
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model);
        return session.ModelMetadata.CustomMetadataMap;
    }

    [Fact]
    public void Zoneout_and_cells_without_an_onnx_operator_are_refused_naming_them()
    {
        var c = new ForecastCase(CellKind.Lstm, 1, 3, 2, [4], 4, 0, 3, 1, 0, 1, 1);
        var zoned = Assert.Throws<OnnxExportException>(() => ForecasterOnnx.Export(RandomForecaster(c, new Rng(1), zoneout: 0.1)));
        Assert.StartsWith("forecast: --zoneout 0.1 cannot be exported to ONNX", zoned.Message);
        // The coupled LSTM is the one cell the applications offer that ONNX has no operator for.
        var coupled = Assert.Throws<OnnxExportException>(() => ForecasterOnnx.Export(RandomForecaster(c with { Cell = CellKind.CoupledLstm }, new Rng(1))));
        Assert.Contains("Coupled", coupled.Message);
        var classifier = new Classifier(["a", "b"], new CharVocabulary("xy"), CellKind.CoupledLstm, Embedding<float>.Create(2, 2, 1), Build(CellKind.CoupledLstm, 2, 3, 1, 2, 1, command: "classify"));
        Assert.Contains("Coupled", Assert.Throws<OnnxExportException>(() => ClassifierOnnx.Export(classifier)).Message);
        var zonedClassifier = new Classifier(["a", "b"], new CharVocabulary("xy"), CellKind.Rnn, Embedding<float>.Create(2, 2, 1), Build(CellKind.Rnn, 2, 3, 1, 2, 1, zoneout: 0.25, command: "classify"));
        Assert.StartsWith("classify: --zoneout 0.25", Assert.Throws<OnnxExportException>(() => ClassifierOnnx.Export(zonedClassifier)).Message);
    }
}
