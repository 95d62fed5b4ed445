using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests.Onnx;

/// <summary>
/// The cells ONNX has operators for, exported as those operators: ONNX Runtime's outputs and final states equal ours to
/// 1e-5 (float32) for every cell kind, stacked and bidirectional layers, padded sequences (sequence_lens), initial
/// states and a head, over random sizes and lengths (empty sequences included).
/// </summary>
[Properties(Arbitrary = new[] { typeof(NativeExportTests.Cases) }, MaxTest = 40)]
public class NativeExportTests
{
    public enum Kind { Rnn, Gru, GruResetAfter, Lstm, PeepholeDiagonal }

    public sealed record Case(Kind Kind, int B, int T, int D, int H, int Layers, bool Bidirectional, bool Masked, bool InitialState, int Head, int Seed)
    {
        public override string ToString() =>
            $"{Kind} B{B} T{T} D{D} H{H} layers {Layers}{(Bidirectional ? " bidirectional" : "")}{(Masked ? " masked" : "")}{(InitialState ? " h0" : "")} head {Head} seed {Seed}";
    }

    public static class Cases
    {
        public static Arbitrary<Case> All() => Arb.From(
            from kind in Gen.Elements(Enum.GetValues<Kind>())
            from b in Gen.Choose(1, 4) from t in Gen.Choose(1, 9) from d in Gen.Choose(1, 7) from h in Gen.Choose(1, 9)
            from layers in Gen.Choose(1, 3) from bi in Gen.Elements(false, true) from masked in Gen.Elements(false, true)
            from init in Gen.Elements(false, true) from head in Gen.Elements(0, 0, 1, 5) from seed in Gen.Choose(0, 100_000)
            select new Case(kind, b, t, d, h, layers, bi, masked, init, head, seed));
    }

    private const float Tolerance = 1e-5f;

    [Property]
    public void Onnx_runtime_computes_what_we_compute(Case c)
    {
        switch (c.Kind)
        {
            case Kind.Rnn: Check(c, (d, h, s) => Rnn<float>.Create(d, h, s), hasCell: false); break;
            case Kind.Gru: Check(c, (d, h, s) => Gru<float>.Create(d, h, s), hasCell: false); break;
            case Kind.GruResetAfter: Check(c, (d, h, s) => GruResetAfter<float>.Create(d, h, s), hasCell: false); break;
            case Kind.Lstm: Check(c, (d, h, s) => Lstm<float>.Create(d, h, s), hasCell: true); break;
            case Kind.PeepholeDiagonal: Check(c, (d, h, s) => PeepholeLstm<float>.Create(d, h, s, diagonal: true), hasCell: true); break;
        }
    }

    private static void Check<TState>(Case c, Func<int, int, long, IRecurrentCell<TState, float>> cell, bool hasCell)
    {
        var net = RecurrentLayers.Create(c.D, c.H, c.Layers, c.Bidirectional, cell, c.Seed, c.Head);
        var rng = new Rng(c.Seed + 1);
        var x = rng.Uniform<float>(new Shape(c.B, c.T, c.D), -2, 2);
        var lengths = Enumerable.Range(0, c.B).Select(_ => c.Masked ? (int)(rng.NextDouble() * (c.T + 1)) : c.T).ToArray();
        int states = c.Layers * (c.Bidirectional ? 2 : 1);
        var h0 = rng.Uniform<float>(new Shape(states, c.B, c.H), -1, 1);
        var c0 = rng.Uniform<float>(new Shape(states, c.B, c.H), -1, 1);

        // ours
        var initial = c.InitialState ? Enumerable.Range(0, states).Select(k => State<TState>(Row(h0, k), Row(c0, k), hasCell)).ToArray() : net.InitialState(c.B);
        var result = net.Unroll(x, initial, c.Masked ? Sequence.MaskFromLengths<float>(lengths, c.T) : null);
        var output = net.Head is { } head ? head.Apply(result.Outputs) : result.Outputs;

        // ONNX Runtime
        var model = OnnxExport.Network(net, new OnnxExportOptions { SequenceLengths = c.Masked, InitialState = c.InitialState });
        var feeds = new List<OrtRunner.Feed> { OrtRunner.Feed.Of("input", x) };
        if (c.Masked) feeds.Add(OrtRunner.Feed.Int32("sequence_lens", lengths, c.B));
        if (c.InitialState) feeds.Add(OrtRunner.Feed.Of("h0", h0));
        if (c.InitialState && hasCell) feeds.Add(OrtRunner.Feed.Of("c0", c0));
        var ort = OrtRunner.Run(model, [.. feeds]);

        AssertClose(output, ort["output"], "output", c);
        AssertClose(Stack(result.Final, s => Leaves(s)[0]), ort["hn"], "hn", c);
        if (hasCell) AssertClose(Stack(result.Final, s => Leaves(s)[1]), ort["cn"], "cn", c);
        else Assert.False(ort.ContainsKey("cn"));
    }

    private static IReadOnlyList<Tensor<float>> Leaves<TState>(TState s) => ParameterTree<float>.Leaves(s!);

    private static Tensor<float> Row(Tensor<float> stacked, int k) =>
        Tensor.FromArray(stacked.AsSpan().Slice(k * stacked.Shape[1] * stacked.Shape[2], stacked.Shape[1] * stacked.Shape[2]).ToArray(), stacked.Shape[1], stacked.Shape[2]);

    private static TState State<TState>(Tensor<float> h, Tensor<float> c, bool hasCell) =>
        (TState)(hasCell ? new LstmState<float>(h, c) : (object)new RnnState<float>(h));

    private static Tensor<float> Stack<TState>(TState[] finals, Func<TState, Tensor<float>> leaf)
    {
        var rows = finals.Select(leaf).ToArray();
        return Tensor.FromArray(rows.SelectMany(r => r.AsSpan().ToArray()).ToArray(), rows.Length, rows[0].Shape[0], rows[0].Shape[1]);
    }

    internal static void AssertClose(Tensor<float> ours, Tensor<float> theirs, string what, object context)
    {
        Assert.True(ours.Shape == theirs.Shape, $"{what}: our shape {ours.Shape}, ONNX Runtime's {theirs.Shape} ({context})");
        var (a, b) = (ours.AsSpan().ToArray(), theirs.AsSpan().ToArray());
        int worst = Enumerable.Range(0, a.Length).MaxBy(i => Math.Abs(a[i] - b[i]));
        Assert.True(a.Length == 0 || Math.Abs(a[worst] - b[worst]) <= Tolerance,
            $"{what}[{worst}]: ours {a[worst]}, ONNX Runtime {b[worst]}, |Δ| = {Math.Abs(a[worst] - b[worst]):G3} > {Tolerance} ({context})");
    }

    [Fact]
    public void A_cell_onnx_has_no_operator_for_is_refused_naming_its_layer()
    {
        var net = RecurrentLayers<LstmState<float>, float>.Of([Lstm<float>.Create(3, 4, 1), CoupledLstm<float>.Create(4, 4, 2)]);
        var e = Assert.Throws<OnnxExportException>(() => OnnxExport.Network(net));
        Assert.Equal("onnx export: layer 1 forward is a CoupledLstm, which ONNX has no operator for; export it with OnnxTracedExport (a graph of primitive ops for a fixed batch and length)", e.Message);
        var full = RecurrentLayers<LstmState<float>, float>.Of([PeepholeLstm<float>.Create(3, 4, 1)]);
        Assert.StartsWith("onnx export: layer 0 forward is a peephole LSTM with full [H, H] peepholes", Assert.Throws<OnnxExportException>(() => OnnxExport.Network(full)).Message);
    }

    [Fact]
    public void Layers_of_different_hidden_sizes_are_refused_because_h0_stacks_them()
    {
        var net = RecurrentLayers<RnnState<float>, float>.Of([Gru<float>.Create(3, 4, 1), Gru<float>.Create(4, 6, 2)]);
        Assert.Equal("onnx export: layer 1 forward has 6 hidden units but layer 0 has 4; the exported h0/hn stack one state per layer and direction, as PyTorch's do, so every layer needs the same hidden size",
            Assert.Throws<OnnxExportException>(() => OnnxExport.Network(net)).Message);
    }

    [Fact]
    public void Save_writes_the_model_atomically_and_onnx_runtime_loads_the_file()
    {
        var net = RecurrentLayers.Create(2, 3, 1, false, (d, h, s) => Lstm<float>.Create(d, h, s), 7, headSize: 2);
        var path = Path.Combine(Path.GetTempPath(), $"agr-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExport.Save(OnnxExport.Network(net), path);
            var x = new Rng(3).Uniform<float>(new Shape(2, 5, 2), -1, 1);
            var ort = OrtRunner.Run(File.ReadAllBytes(path), OrtRunner.Feed.Of("input", x));
            AssertClose(net.Apply(x), ort["output"], "output", "saved file");
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $".{Path.GetFileName(path)}.*.tmp"));
        }
        finally { File.Delete(path); }
    }
}
