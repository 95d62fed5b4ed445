using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace AutoGradRnn.Tests.Onnx;

/// <summary>
/// A character model's ONNX export (<see cref="CharModelOnnx"/>) computes in ONNX Runtime what the library computes: the
/// logits and the final states, from a non-zero initial state, over random cells, sizes and sequences.
/// </summary>
[Properties(Arbitrary = new[] { typeof(CharModelOnnxTests.Cases) })]
public class CharModelOnnxTests(ITestOutputHelper output)
{
    /// <summary>The cell kinds with a native ONNX op (every kind train-char offers except coupled).</summary>
    public static readonly CellKind[] Native = [CellKind.Rnn, CellKind.GruResetAfter, CellKind.Gru, CellKind.Lstm, CellKind.PeepholeLstm];

    public sealed record Case(CellKind Cell, int Vocabulary, int Hidden, int Layers, int Batch, int Time, int Seed)
    {
        public override string ToString() => $"{CellKinds.Name(Cell)} V {Vocabulary} H {Hidden} × {Layers}, B {Batch}, T {Time}, seed {Seed}";
    }

    public static class Cases
    {
        public static Arbitrary<Case> All() => Arb.From(
            from cell in Gen.Elements(Native) from v in Gen.Choose(2, 9) from h in Gen.Choose(1, 7) from l in Gen.Choose(1, 2)
            from b in Gen.Choose(1, 3) from t in Gen.Choose(1, 6) from seed in Gen.Choose(0, 10_000)
            select new Case(cell, v, h, l, b, t, seed));
    }

    private const string Letters = "abcdefghijklmnopqrstuvwxyz";

    /// <summary>A checkpoint as train-char writes it (parameter names and metadata), with a freshly initialised model.</summary>
    internal static string SaveCheckpoint<TState>(string path, CharLanguageModel.Model<TState> model, CellKind cell, string vocabulary, double zoneout = 0)
    {
        Checkpoint<float>.Save(path, model, new Dictionary<string, string>
        {
            ["model"] = "char-lm", ["cell"] = CellKinds.Name(cell), ["hidden"] = model.Head.InputSize.ToString(CultureInfo.InvariantCulture),
            ["layers"] = model.Rnn.Layers.Length.ToString(CultureInfo.InvariantCulture), ["vocabulary"] = vocabulary,
            ["zoneout"] = zoneout.ToString("R", CultureInfo.InvariantCulture),
        });
        return path;
    }

    private sealed class Compare(Case k, string folder) : ICellVisitor<double>
    {
        public double Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create)
        {
            var model = new CharLanguageModel.Model<TState>(CellKinds.Stack(create, k.Vocabulary, k.Hidden, k.Layers, k.Seed), Linear<float>.Create(k.Hidden, k.Vocabulary, k.Seed + 7));
            var checkpoint = SaveCheckpoint(Path.Combine(folder, "m.safetensors"), model, k.Cell, Letters[..k.Vocabulary]);
            var onnx = CharModelOnnx.Export(checkpoint);

            // A non-zero initial state: the library's state after a few random characters.
            var rng = new Rng(k.Seed + 1);
            Tensor<float> OneHot(int[] ids, int time) => Tensor.OneHot<float>(ids, k.Vocabulary).Reshape(k.Batch, time, k.Vocabulary);
            int[] Ids(int time) => [.. Enumerable.Range(0, k.Batch * time).Select(_ => rng.NextInt(k.Vocabulary))];
            var initial = Sequence.Unroll(model.Rnn, OneHot(Ids(3), 3), model.Rnn.InitialState(k.Batch)).Final!;
            var ids = Ids(k.Time);
            var ours = Sequence.Unroll(model.Rnn, OneHot(ids, k.Time), initial);
            var logits = model.Head.Apply(ours.Outputs);

            // [layers, batch, hidden] of the states' H (or C) leaves, layer by layer.
            float[] Layered(TState[] state, string leaf) =>
                [.. ParameterTree<float>.Flatten(state).Where(n => n.Name.EndsWith("." + leaf, StringComparison.Ordinal)).SelectMany(n => n.Value.AsSpan().ToArray())];
            bool lstm = CharModelOnnx.HasCellState(k.Cell);
            var feeds = new List<OrtRunner.Feed>
            {
                OrtRunner.Feed.Int64(CharModelOnnx.Ids, [.. ids.Select(i => (long)i)], k.Batch, k.Time),
                new(CharModelOnnx.InitialH, Layered(initial, "H"), null, null, [k.Layers, k.Batch, k.Hidden]),
            };
            if (lstm) feeds.Add(new(CharModelOnnx.InitialC, Layered(initial, "C"), null, null, [k.Layers, k.Batch, k.Hidden]));
            var ort = OrtRunner.Run(onnx, [.. feeds]);

            Assert.Equal([k.Batch, k.Time, k.Vocabulary], ort[CharModelOnnx.Logits].Shape.ToArray());
            double worst = MaxAbs(logits.AsSpan().ToArray(), ort[CharModelOnnx.Logits]);
            worst = Math.Max(worst, MaxAbs(Layered(ours.Final!, "H"), ort[CharModelOnnx.FinalH]));
            if (lstm) worst = Math.Max(worst, MaxAbs(Layered(ours.Final!, "C"), ort[CharModelOnnx.FinalC]));
            else Assert.False(ort.ContainsKey(CharModelOnnx.FinalC));
            return worst;
        }

        private static double MaxAbs(float[] expected, Tensor<float> actual)
        {
            Assert.Equal(expected.Length, actual.AsSpan().Length);
            return expected.Zip(actual.AsSpan().ToArray(), (a, b) => Math.Abs((double)a - b)).Max();
        }
    }

    [Property(MaxTest = 40)]
    public void The_exported_model_computes_the_librarys_logits_and_final_states_in_onnx_runtime(Case k)
    {
        var folder = Directory.CreateTempSubdirectory("agr-charlm-onnx-").FullName;
        try
        {
            double worst = CellKinds.Visit(k.Cell, new CellInit(), new Compare(k, folder));
            output.WriteLine($"{k}: max |ORT − ours| = {worst:G3}");
            Assert.True(worst <= 1e-5, $"{k}: max |ORT − ours| = {worst:G3}");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    private sealed class Save(string path, CellKind cell, string vocabulary, double zoneout) : ICellVisitor<string>
    {
        public string Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create) =>
            SaveCheckpoint(path, new CharLanguageModel.Model<TState>(CellKinds.Stack(create, CharVocabulary.Count(vocabulary), 3, 2, 1), Linear<float>.Create(3, CharVocabulary.Count(vocabulary), 2)),
                cell, vocabulary, zoneout);
    }

    internal static string Checkpoint(string path, CellKind cell, string vocabulary = "abc", double zoneout = 0) =>
        CellKinds.Visit(cell, new CellInit(), new Save(path, cell, vocabulary, zoneout));

    [Fact]
    public void The_metadata_carries_the_vocabulary_cell_and_sizes_so_the_file_is_self_contained()
    {
        var folder = Directory.CreateTempSubdirectory("agr-charlm-onnx-").FullName;
        try
        {
            var onnx = CharModelOnnx.Export(Checkpoint(Path.Combine(folder, "m.safetensors"), CellKind.Lstm, "\n ab😀é"));
            using var session = new InferenceSession(onnx);
            var meta = session.ModelMetadata.CustomMetadataMap;
            Assert.Equal("char-lm", meta["model"]);
            Assert.Equal("lstm", meta["cell"]);
            Assert.Equal("3", meta["hidden"]);
            Assert.Equal("2", meta["layers"]);
            Assert.Equal(["\n", " ", "a", "b", "😀", "é"], System.Text.Json.JsonSerializer.Deserialize<string[]>(meta["vocabulary"])!);   // a JSON array, as the classifier's
            Assert.Equal(CharModelOnnx.MetadataKeys.Order(), meta.Keys.Order());
            Assert.Equal([CharModelOnnx.Ids, CharModelOnnx.InitialH, CharModelOnnx.InitialC], session.InputMetadata.Keys);
            Assert.Equal([CharModelOnnx.Logits, CharModelOnnx.FinalH, CharModelOnnx.FinalC], session.OutputMetadata.Keys);
            Assert.Equal([-1, -1, 6], session.OutputMetadata[CharModelOnnx.Logits].Dimensions);   // 6 characters: the emoji is one
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void A_checkpoint_trained_with_zoneout_is_refused_naming_zoneout_and_its_value()
    {
        var folder = Directory.CreateTempSubdirectory("agr-charlm-onnx-").FullName;
        try
        {
            var path = Checkpoint(Path.Combine(folder, "z.safetensors"), CellKind.Gru, zoneout: 0.15);
            var e = Assert.Throws<OnnxExportException>(() => CharModelOnnx.Export(path));
            Assert.Contains("zoneout 0.15", e.Message);
            Assert.Contains(path, e.Message);
            Assert.DoesNotContain("\n", e.Message);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void A_cell_without_a_native_onnx_op_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("agr-charlm-onnx-").FullName;
        try
        {
            var e = Assert.Throws<OnnxExportException>(() => CharModelOnnx.Export(Checkpoint(Path.Combine(folder, "c.safetensors"), CellKind.CoupledLstm)));
            Assert.Contains("holds a coupled LSTM (cell 'coupled'), which no ONNX recurrent op computes", e.Message);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
