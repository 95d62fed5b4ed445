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

    /// <summary>
    /// A model ONNX has no recurrent op for (coupled), or trained with zoneout (sampled with its expectation), exports as
    /// the traced graph of one sampling step: fed one character at a time with the state carried, as the samplers do, ONNX
    /// Runtime gives the library's logits and states to 1e-5.
    /// </summary>
    [Theory]
    [InlineData(CellKind.CoupledLstm, 0.0)]
    [InlineData(CellKind.CoupledLstm, 0.2)]
    [InlineData(CellKind.Lstm, 0.15)]
    [InlineData(CellKind.Gru, 0.3)]
    [InlineData(CellKind.GruResetAfter, 0.1)]
    [InlineData(CellKind.Rnn, 0.5)]
    [InlineData(CellKind.PeepholeLstm, 0.25)]
    public void A_coupled_or_zoneout_model_exports_as_its_traced_sampling_step(CellKind cell, double zoneout)
    {
        var folder = Directory.CreateTempSubdirectory("agr-charlm-onnx-").FullName;
        try
        {
            const string vocabulary = "abcde";
            var path = Checkpoint(Path.Combine(folder, "m.safetensors"), cell, vocabulary, zoneout);
            var onnx = CharModelOnnx.Export(path);
            using (var session = new InferenceSession(onnx))
            {
                Assert.Equal("batch 1, time 1", session.ModelMetadata.CustomMetadataMap["traced"]);
                Assert.Equal([1, 1], session.InputMetadata[CharModelOnnx.Ids].Dimensions);
            }
            double worst = CellKinds.Visit(cell, new CellInit(), new StepCompare(path, onnx, zoneout));
            output.WriteLine($"{CellKinds.Name(cell)} zoneout {zoneout}: max |ORT − ours| = {worst:G3}");
            Assert.True(worst <= 1e-5, $"max |ORT − ours| = {worst:G3}");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>Steps the library's evaluation model (zoneout's expectation) and the ONNX graph through the same characters.</summary>
    private sealed class StepCompare(string path, byte[] onnx, double zoneout) : ICellVisitor<double>
    {
        public double Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create)
        {
            var trained = Checkpoint<float>.Load(path, new CharLanguageModel.Model<TState>(CellKinds.Stack(create, 5, 3, 2, 9), Linear<float>.Create(3, 5, 9)));
            var regularisation = new RecurrentRegularisation { Zoneout = zoneout };
            var rnn = new Stacked<TState, float>([.. trained.Rnn.Layers.Select(regularisation.EvaluationCell)]);
            var state = rnn.InitialState(1);
            bool lstm = ParameterTree<float>.Leaves(state[0]!).Count == 2;
            var (h, c) = (new float[2 * 3], new float[2 * 3]);
            double worst = 0;
            foreach (int id in new[] { 0, 3, 1, 4, 4, 2, 0 })
            {
                state = rnn.Step(state, Tensor.OneHot<float>([id], 5));
                var logits = trained.Head.Apply(rnn.Output(state)).AsSpan().ToArray();
                var feeds = new List<OrtRunner.Feed> { OrtRunner.Feed.Int64(CharModelOnnx.Ids, [id], 1, 1), new(CharModelOnnx.InitialH, h, null, null, [2, 1, 3]) };
                if (lstm) feeds.Add(new(CharModelOnnx.InitialC, c, null, null, [2, 1, 3]));
                var ort = OrtRunner.Run(onnx, [.. feeds]);
                (h, c) = (ort[CharModelOnnx.FinalH].AsSpan().ToArray(), lstm ? ort[CharModelOnnx.FinalC].AsSpan().ToArray() : c);
                float[] Leaf(int k) => [.. state.SelectMany(s => ParameterTree<float>.Leaves(s!)[k].AsSpan().ToArray())];
                worst = new[] { Max(logits, ort[CharModelOnnx.Logits]), Max(Leaf(0), ort[CharModelOnnx.FinalH]), lstm ? Max(Leaf(1), ort[CharModelOnnx.FinalC]) : 0, worst }.Max();
            }
            return worst;
        }

        private static double Max(float[] expected, Tensor<float> actual) =>
            expected.Zip(actual.AsSpan().ToArray(), (a, b) => Math.Abs((double)a - b)).Append(expected.Length == actual.Count ? 0 : double.PositiveInfinity).Max();
    }
}
