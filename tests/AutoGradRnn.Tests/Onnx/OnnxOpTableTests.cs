using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests.Onnx;

/// <summary>
/// Each rule of the traced export's op table on its own: a small function using the op, recorded on a tape and converted
/// by <see cref="OnnxTrace{T}"/>, gives in ONNX Runtime what it gives here, on random inputs; and every rule is covered.
/// </summary>
public class OnnxOpTableTests
{
    /// <summary>Functions of a and b (both <c>[2, 3, 4]</c>), each named after the op it is there to check.</summary>
    private static readonly Dictionary<string, Func<Tensor<float>, Tensor<float>, Tensor<float>>> Functions = new()
    {
        ["add"] = (a, b) => a + b,
        ["subtract"] = (a, b) => a - b,
        ["multiply"] = (a, b) => a * b,
        ["divide"] = (a, b) => a / (Square(b) + 1f),
        ["negate"] = (a, _) => -a,
        ["sigmoid"] = (a, _) => Sigmoid(a),
        ["tanh"] = (a, _) => Tanh(a),
        ["exp"] = (a, _) => Exp(a),
        ["log"] = (a, _) => Log(Square(a) + 0.5f),
        ["relu"] = (a, _) => Relu(a),
        ["sqrt"] = (a, _) => Sqrt(Abs(a)),
        ["abs"] = (a, _) => Abs(a),
        ["square"] = (a, _) => Square(a),
        ["add_scalar"] = (a, _) => a + 0.75f,
        ["rsub_scalar"] = (a, _) => 0.25f - a,
        ["mul_scalar"] = (a, _) => a * -1.5f,
        ["matmul"] = (a, b) => MatMul(a, Slice(Reshape(b, 6, 4), 0, 4, 0)),
        ["matmul (A transposed)"] = (a, b) => MatMul(Reshape(a, 6, 4), Reshape(b, 6, 4), transposeA: true),
        ["matmul (B transposed)"] = (a, b) => MatMul(a, Reshape(b, 6, 4), transposeB: true),
        ["matmul (both transposed)"] = (a, b) => MatMul(Reshape(a, 4, 6), Reshape(b, 6, 4), transposeA: true, transposeB: true),
        ["reshape"] = (a, _) => Reshape(a, 4, -1),
        ["transpose"] = (a, _) => Transpose(a, 0, 2),
        ["concat"] = (a, b) => Concat([a, b, a], axis: 1),
        ["slice"] = (a, _) => Slice(a, 1, 2, 1),
        ["sum_axis"] = (a, _) => Sum(a, 1),
        ["sum_axis (kept)"] = (a, _) => Sum(a, 2, keepDims: true),
        ["sum"] = (a, _) => Sum(a),
        ["mean"] = (a, _) => Mean(a),
        ["softmax"] = (a, _) => Softmax(a),
        ["softmax (axis 1)"] = (a, _) => Softmax(a, 1),
        ["log_softmax"] = (a, _) => LogSoftmax(a),
        ["masked_softmax"] = (a, b) => MaskedSoftmax(a, OneHotRowsOrMore(b.Detach())),
        ["layer_norm"] = (a, b) => LayerNorm(a, Reshape(Slice(Slice(b, 0, 1, 0), 0, 1, 1), 4), Reshape(Slice(Slice(b, 1, 1, 0), 0, 1, 1), 4), 0.01),
        ["dropout"] = (a, b) => Dropout(a, DropoutMasks.Draw<float>(new Shape(2, 1, 4), 0.5, new Rng(7))),
        ["gather"] = (a, _) => Gather(Reshape(a, 6, 4), [5, 0, 0, 3]),
    };

    /// <summary>A 0/1 mask shaped like x with at least one 1 per row of the last axis: 1 where x &gt; 0, and at each row's maximum.</summary>
    private static Tensor<float> OneHotRowsOrMore(Tensor<float> x)
    {
        var d = x.AsSpan().ToArray();
        int n = x.Shape.Last;
        var m = new float[d.Length];
        for (int o = 0; o < d.Length; o += n)
        {
            int best = o;
            for (int j = o; j < o + n; j++)
            {
                m[j] = d[j] > 0 ? 1 : 0;
                if (d[j] > d[best]) best = j;
            }
            m[best] = 1;
        }
        return Tensor.FromArray(m, x.Shape);
    }

    public static TheoryData<string> Cases => [.. Functions.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_rule_gives_what_the_op_gives(string name)
    {
        foreach (long seed in new[] { 1L, 20L, 300L, 4000L })
        {
            var a = Tensor.RandomNormal<float>(new Shape(2, 3, 4), seed);
            var b = Tensor.RandomNormal<float>(new Shape(2, 3, 4), seed + 1);
            var (model, ops) = Trace(Functions[name], a, b);
            var ours = Functions[name](a, b);
            var ort = OrtRunner.Run(model, OrtRunner.Feed.Of("a", a), OrtRunner.Feed.Of("b", b));
            TracedExportTests.Close(ours, ort["y"], $"{name} seed {seed}");
            Assert.Contains(name.Split(' ')[0], ops);
        }
    }

    [Fact]
    public void Every_rule_of_the_table_is_checked()
    {
        var a = Tensor.RandomNormal<float>(new Shape(2, 3, 4), 5);
        var covered = Functions.Values.SelectMany(f => Trace(f, a, a).Ops).ToHashSet();
        var missing = OnnxOpTable<float>.Rules.Keys.Where(op => !covered.Contains(op)).ToList();
        Assert.True(missing.Count == 0, "no check for the rules of " + string.Join(", ", missing));
    }

    private static (byte[] Model, IReadOnlyList<string> Ops) Trace(Func<Tensor<float>, Tensor<float>, Tensor<float>> f, Tensor<float> a, Tensor<float> b)
    {
        var tape = new Tape<float>();
        var (ta, tb) = (tape.Track(a), tape.Track(b));
        var y = f(ta, tb);
        var g = new OnnxGraph("op");
        var trace = new OnnxTrace<float>(g, tape, "op test");
        trace.Bind(ta, g.Input("a", OnnxType.Float, 2, 3, 4));
        trace.Bind(tb, g.Input("b", OnnxType.Float, 2, 3, 4));
        trace.Convert([y]);
        g.Output("y", trace.ValueOf(y), OnnxType.Float, [.. y.Shape.Select(d => (object)d)]);
        return (OnnxModel.Write(g), tape.Ops);
    }
}
