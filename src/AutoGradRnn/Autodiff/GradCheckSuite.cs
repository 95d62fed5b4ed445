using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>One entry of <see cref="GradCheckSuite"/>: what was checked and how it went.</summary>
public sealed record GradCheckSuiteEntry(string Name, string Kind, GradCheckResult Result);

/// <summary>
/// The library's gradient verification in one call: every differentiable op and every cell (unrolled over a short
/// sequence into a scalar), gradchecked in float64 on small random inputs. The test suite checks the same things
/// property-based over many shapes; this is the quick self-check a user can run on their own machine
/// (<c>autogradrnn gradcheck</c>).
/// </summary>
public static class GradCheckSuite
{
    /// <summary>Runs every check with inputs drawn from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<GradCheckSuiteEntry> Run(long seed = 0)
    {
        var rng = new Rng(seed);
        Tensor<double> R(params int[] s) => Tensor.RandomNormal<double>(new Shape(s), rng);
        Tensor<double> Away(params int[] s) => Tensor.FromArray(R(s).ToArray().Select(v => v + Math.CopySign(0.2, v)).ToArray(), new Shape(s));
        Tensor<double> Positive(params int[] s) => Tensor.RandomUniform<double>(new Shape(s), rng, 0.5, 2);
        var entries = new List<GradCheckSuiteEntry>();
        void Op<TTree>(string name, Func<TTree, Tensor<double>> f, TTree x) => entries.Add(new(name, "op", GradCheck.Check(f, x)));

        var (a, b) = (R(3, 4), R(3, 4));
        Op("add (broadcast bias)", ((Tensor<double> A, Tensor<double> B) p) => p.A + p.B, (a, R(4)));
        Op("subtract", ((Tensor<double> A, Tensor<double> B) p) => p.A - p.B, (a, b));
        Op("multiply (broadcast column)", ((Tensor<double> A, Tensor<double> B) p) => p.A * p.B, (a, R(3, 1)));
        Op("divide", ((Tensor<double> A, Tensor<double> B) p) => p.A / p.B, (a, Positive(3, 4)));
        Op("negate", (Tensor<double> x) => -x, a);
        Op("scalar add/multiply (1 − x, 3x)", (Tensor<double> x) => (1.0 - x) * 3.0, a);
        Op("square", (Tensor<double> x) => Square(x), a);
        Op("sqrt", (Tensor<double> x) => Sqrt(x), Positive(3, 4));
        Op("abs", (Tensor<double> x) => Abs(x), Away(3, 4));
        Op("matmul", ((Tensor<double> A, Tensor<double> B) p) => MatMul(p.A, p.B), (a, R(4, 2)));
        Op("matmul Aᵀ·B", ((Tensor<double> A, Tensor<double> B) p) => MatMul(p.A, p.B, transposeA: true), (a, R(3, 2)));
        Op("matmul A·Bᵀ", ((Tensor<double> A, Tensor<double> B) p) => MatMul(p.A, p.B, transposeB: true), (a, R(2, 4)));
        Op("matmul batched [B,T,D]·[D,H]", ((Tensor<double> A, Tensor<double> B) p) => MatMul(p.A, p.B), (R(2, 3, 4), R(4, 2)));
        Op("sigmoid", (Tensor<double> x) => Sigmoid(x), a);
        Op("tanh", (Tensor<double> x) => Tanh(x), a);
        Op("exp", (Tensor<double> x) => Exp(x), a);
        Op("log", (Tensor<double> x) => Log(x), Positive(3, 4));
        Op("relu", (Tensor<double> x) => Relu(x), Away(3, 4));
        Op("softmax", (Tensor<double> x) => Softmax(x), a);
        Op("log-softmax", (Tensor<double> x) => LogSoftmax(x), a);
        Op("sum (all)", (Tensor<double> x) => Sum(x), a);
        Op("sum (axis)", (Tensor<double> x) => Sum(x, 0), a);
        Op("mean (all)", (Tensor<double> x) => Mean(x), a);
        Op("mean (axis)", (Tensor<double> x) => Mean(x, 1, keepDims: true), a);
        Op("concat", ((Tensor<double> A, Tensor<double> B) p) => Concat(p.A, p.B), (a, R(3, 2)));
        Op("slice / split", (Tensor<double> x) => Split(x, [1, 3])[1], a);
        Op("reshape", (Tensor<double> x) => x.Reshape(2, 6), a);
        Op("transpose", (Tensor<double> x) => x.Transpose(), a);
        Op("stack / unstack (time)", (Tensor<double> x) => Stack(Unstack(x, 1).Reverse().ToArray(), 1), R(2, 3, 2));
        Op("gather (embedding)", (Tensor<double> t) => Gather(t, [2, 0, 2]), a);
        Op("mean squared error", ((Tensor<double> A, Tensor<double> B) p) => MeanSquaredError(p.A, p.B), (a, b));
        Op("mean absolute error", ((Tensor<double> A, Tensor<double> B) p) => MeanAbsoluteError(p.A, p.B), (a, a + 0.5));
        Op("cross-entropy from logits", (Tensor<double> z) => CrossEntropy(z, [1, 3, 0]), a);
        Op("masked cross-entropy", (Tensor<double> z) => CrossEntropy(z, [1, 3, 0], Tensor.FromArray([1.0, 0.0, 1.0])), a);

        var x = R(2, 4, 3);
        void Cell<TState>(string name, IRecurrentCell<TState, double> cell)
        {
            var weights = R(2, 4, cell.OutputSize);
            entries.Add(new(name, "cell", GradCheck.Check(((IRecurrentCell<TState, double> C, Tensor<double> X) p) =>
                Sum(Sequence.Unroll(p.C, p.X).Outputs * weights), (cell, x))));
        }
        Cell("rnn", Rnn<double>.Create(3, 3, seed));
        Cell("lstm", Lstm<double>.Create(3, 3, seed));
        Cell("peephole lstm (full)", PeepholeLstm<double>.Create(3, 3, seed));
        Cell("peephole lstm (diagonal)", PeepholeLstm<double>.Create(3, 3, seed, diagonal: true));
        Cell("coupled lstm", CoupledLstm<double>.Create(3, 3, seed));
        Cell("gru (essay)", Gru<double>.Create(3, 3, seed));
        Cell("gru (reset after, PyTorch)", GruResetAfter<double>.Create(3, 3, seed));
        Cell("stacked lstm ×2", Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(3, 3, seed), Lstm<double>.Create(3, 2, seed + 1)));
        var mask = Sequence.MaskFromLengths<double>([4, 2], 4);
        entries.Add(new("lstm with a padding mask", "cell", GradCheck.Check((Lstm<double> c) =>
            Sum(Square(Sequence.Unroll(c, x, c.InitialState(2), mask).Outputs)), Lstm<double>.Create(3, 3, seed))));
        entries.Add(new("bidirectional lstm", "cell", GradCheck.Check((Bidirectional<LstmState<double>, double> n) =>
            Sum(Square(n.Unroll(x).Outputs)), new Bidirectional<LstmState<double>, double>(Lstm<double>.Create(3, 2, seed), Lstm<double>.Create(3, 2, seed + 1)))));
        return entries;
    }
}
