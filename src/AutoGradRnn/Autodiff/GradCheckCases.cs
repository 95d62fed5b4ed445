using System.Globalization;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// The sizes and seed one <see cref="GradCheckCase"/> is built from. Op cases read <see cref="Dims"/> (a shape of rank ≥ 1)
/// and, for sequence losses, <see cref="Batch"/>/<see cref="Time"/>/<see cref="Input"/>; cell cases read B, T, D, H.
/// Every value of the case (inputs, parameters, loss weights, axes, masks) is drawn from <see cref="Seed"/>, so a draw
/// replays a check exactly. All sizes must be ≥ 1.
/// </summary>
public sealed record GradCheckDraw(int[] Dims, int Batch, int Time, int Input, int Hidden, long Seed)
{
    /// <summary>The draw of <c>autogradrnn gradcheck</c>: shape [3, 4], B 2, T 4, D 3, H 3.</summary>
    public static GradCheckDraw Default(long seed) => new([3, 4], 2, 4, 3, 3, seed);

    /// <summary><see cref="Dims"/> as a shape.</summary>
    public Shape Shape => new(Dims);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"shape {Shape} B {Batch} T {Time} D {Input} H {Hidden} seed {Seed}");
}

/// <summary>
/// One entry of the gradient-check registry <see cref="GradCheckSuite.Cases"/>: a name, its kind (<c>op</c>, <c>cell</c> or
/// <c>layer</c>), what it covers (Ops overloads as <c>Name(parameter, names)</c>, cell and layer types by their name without
/// arity, e.g. <c>GruResetAfter</c>), and the check itself, built from a <see cref="GradCheckDraw"/>. A check made of several
/// gradchecks (every axis, every broadcast partner) reports the first failing one, or else the one with the largest error,
/// with <see cref="GradCheckResult.Compared"/> summed over all of them.
/// </summary>
public sealed record GradCheckCase(string Name, string Kind, IReadOnlyList<string> Covers, Func<GradCheckDraw, GradCheckResult> Check);

/// <summary>The registry itself: one table that both <c>autogradrnn gradcheck</c> and the property tests run.</summary>
public static partial class GradCheckSuite
{
    /// <summary>
    /// Public <see cref="Ops"/> methods that return tensors but have no case, each with the reason. The tests check that
    /// every other such method is covered by some case, and that every name here still exists.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NotChecked { get; } = new Dictionary<string, string>
    {
        // Its gradient is whatever rule the caller passes; there is no library derivative to verify.
        ["Custom(name, value, inputs, backward)"] = "the backward rule is the caller's own (gradcheck your op with GradCheck.Check)",
        ["CustomMany(name, values, inputs, backward)"] = "the backward rule is the caller's own (gradcheck your op with GradCheck.Check)",
    };

    /// <summary>Every case, in the order <c>autogradrnn gradcheck</c> prints them.</summary>
    public static IReadOnlyList<GradCheckCase> Cases { get; } = BuildCases();

    private static GradCheckCase Op(string name, string[] covers, Func<GradCheckDraw, GradCheckResult> check) => new(name, "op", covers, check);

    private static GradCheckCase Cell(string name, string covers, Func<GradCheckDraw, GradCheckResult> check) => new(name, "cell", [covers], check);

    private static GradCheckResult Check<TTree>(Func<TTree, Tensor<double>> f, TTree x) => GradCheck.Check(f, x);

    /// <summary>The first failing result of several checks, else the one with the largest absolute error; counts summed.</summary>
    internal static GradCheckResult All(IEnumerable<Func<GradCheckResult>> checks)
    {
        GradCheckResult? pick = null;
        int compared = 0;
        foreach (var check in checks)
        {
            var r = check();
            compared += r.Compared;
            if (pick is null || (pick.Passed && (!r.Passed || r.Worst.AbsoluteError > pick.Worst.AbsoluteError))) pick = r;
            if (!r.Passed) break;
        }
        return pick! with { Compared = compared };
    }

    private static GradCheckResult All(params Func<GradCheckResult>[] checks) => All(checks.AsEnumerable());

    // Values of a draw: salt separates the tensors of one case.
    private static Tensor<double> Normal(Shape s, long seed, int salt) => Tensor.RandomNormal<double>(s, seed * 7919 + salt);
    private static Tensor<double> Normal(GradCheckDraw d, int salt = 0) => Normal(d.Shape, d.Seed, salt);
    private static Tensor<double> Uniform(Shape s, long seed, int salt, double low, double high) => Tensor.RandomUniform<double>(s, seed * 7919 + salt, low, high);

    /// <summary>N(0,1) values pushed 0.1 away from 0, for the kinks of relu and abs.</summary>
    private static Tensor<double> AwayFromZero(Shape s, long seed, int salt) =>
        Tensor.FromArray(Normal(s, seed, salt).ToArray().Select(v => v + Math.CopySign(0.1, v)).ToArray(), s);

    /// <summary>Shapes that broadcast against <paramref name="s"/>: itself, its last axis, a scalar, a column, a leading-1 row.</summary>
    private static IEnumerable<Shape> BroadcastPartners(Shape s)
    {
        yield return s;
        yield return new Shape(s.Last);
        yield return Shape.Scalar;
        if (s.Rank >= 2) yield return s.With(s.Rank - 1, 1);
        if (s.Rank >= 2) yield return s.With(0, 1);
    }

    /// <summary>A number in [0, n) drawn from the seed (any seed, negative ones too).</summary>
    private static int Pick(long seed, int n) => (int)(((seed % n) + n) % n);

    private static IEnumerable<int> Axes(GradCheckDraw d) => Enumerable.Range(0, d.Dims.Length);

    /// <summary>A 0/1 mask of <paramref name="s"/> with at least one 1 in every row of the last axis.</summary>
    internal static Tensor<double> RowMask(Shape s, long seed)
    {
        var rng = new Rng(seed + 17);
        int n = s.Last;
        var m = new double[s.Count];
        for (int o = 0; o < m.Length; o += n)
        {
            for (int j = 0; j < n; j++) m[o + j] = rng.NextInt(3) == 0 ? 0 : 1;
            m[o + rng.NextInt(n)] = 1;
        }
        return Tensor.FromArray(m, s);
    }

    /// <summary>Random lengths in [1, T], one of them T, as a <c>[B, T]</c> padding mask.</summary>
    private static Tensor<double> PaddingMask(GradCheckDraw d)
    {
        var rng = new Rng(d.Seed + 13);
        var lengths = Enumerable.Range(0, d.Batch).Select(_ => 1 + rng.NextInt(d.Time)).ToArray();
        lengths[rng.NextInt(d.Batch)] = d.Time;
        return Sequence.MaskFromLengths<double>(lengths, d.Time);
    }

    private static Tensor<double> SequenceInputs(GradCheckDraw d) => Normal(new Shape(d.Batch, d.Time, d.Input), d.Seed, 11);

    /// <summary>A loss touching every output and every leaf of the final state, with random weights so nothing cancels.</summary>
    private static Tensor<double> SequenceLoss<TState>(SequenceResult<TState, double> r, long seed)
    {
        var loss = Sum(r.Outputs * Tensor.RandomNormal<double>(r.Outputs.Shape, seed));
        foreach (var (leaf, k) in ParameterTree<double>.Leaves(r.Final!).Select((l, k) => (l, k)))
            loss += Sum(leaf * Tensor.RandomNormal<double>(leaf.Shape, seed + 1 + k));
        return loss;
    }

    /// <summary>
    /// <paramref name="cell"/> unrolled over the draw's inputs from a random initial state (optionally through a padding mask),
    /// gradchecked with respect to its parameters, the initial state and the inputs.
    /// </summary>
    private static GradCheckResult Unrolled<TCell, TState>(GradCheckDraw d, TCell cell, bool masked = false) where TCell : IRecurrentCell<TState, double>
    {
        long s = d.Seed + 5;
        var state = ParameterTree<double>.Map(cell.InitialState(d.Batch), z => Tensor.RandomNormal<double>(z.Shape, s++, std: 0.5));
        var mask = masked ? PaddingMask(d) : null;
        return Check(((TCell Cell, TState State, Tensor<double> X) p) =>
            SequenceLoss(mask is null ? Sequence.Unroll(p.Cell, p.X, p.State) : Sequence.Unroll(p.Cell, p.X, p.State, mask), d.Seed),
            (cell, state, SequenceInputs(d)));
    }

    /// <summary>
    /// Like <see cref="Unrolled{TCell, TState}"/> for a cell whose inputs carry masks: the draw's inputs <c>[B, T, D]</c> go
    /// through <paramref name="withMasks"/> (the same masks at every evaluation, drawn from the case's seed) and the check
    /// is with respect to the parameters, the initial state and x, the masks held fixed.
    /// </summary>
    private static GradCheckResult UnrolledWithMasks<TCell, TState>(GradCheckDraw d, TCell cell, Func<TCell, Tensor<double>, Tensor<double>> withMasks)
        where TCell : IRecurrentCell<TState, double>
    {
        long s = d.Seed + 5;
        var state = ParameterTree<double>.Map(cell.InitialState(d.Batch), z => Tensor.RandomNormal<double>(z.Shape, s++, std: 0.5));
        return Check(((TCell Cell, TState State, Tensor<double> X) p) => SequenceLoss(Sequence.Unroll(p.Cell, withMasks(p.Cell, p.X), p.State), d.Seed),
            (cell, state, SequenceInputs(d)));
    }

    private static List<GradCheckCase> BuildCases()
    {
        var cases = new List<GradCheckCase>();

        // Arithmetic, each with every broadcasting partner, both ways round (the small operand first too).
        void Binary(string name, string op, Func<Tensor<double>, Tensor<double>, Tensor<double>> f, bool positiveRight = false) =>
            cases.Add(Op(name, [$"{op}(a, b)"], d =>
            {
                Tensor<double> Right(Shape s, int salt) => positiveRight ? Uniform(s, d.Seed, salt, 0.5, 2) : Normal(s, d.Seed, salt);
                return All(BroadcastPartners(d.Shape).SelectMany(partner => new Func<GradCheckResult>[]
                {
                    () => Check(((Tensor<double> A, Tensor<double> B) p) => f(p.A, p.B), (Normal(d), Right(partner, 1))),
                    () => Check(((Tensor<double> B, Tensor<double> A) p) => f(p.B, p.A), (Normal(partner, d.Seed, 1), Right(d.Shape, 2))),
                }));
            }));
        Binary("add (broadcasting)", "Add", (a, b) => a + b);
        Binary("subtract (broadcasting)", "Subtract", (a, b) => a - b);
        Binary("multiply (broadcasting)", "Multiply", (a, b) => a * b);
        Binary("divide (broadcasting)", "Divide", (a, b) => a / b, positiveRight: true);
        cases.Add(Op("negate", ["Negate(x)"], d => Check((Tensor<double> x) => -x, Normal(d))));
        cases.Add(Op("scalar add, subtract, times", ["Add(x, s)", "Subtract(s, x)", "Multiply(x, s)"], d => All(
            () => Check((Tensor<double> x) => Add(x, 2.5), Normal(d)),
            () => Check((Tensor<double> x) => Subtract(1.5, x), Normal(d)),
            () => Check((Tensor<double> x) => Multiply(x, -3.0), Normal(d)),
            () => Check((Tensor<double> x) => x / 4.0, Normal(d)))));

        // Elementwise functions, on their domains and away from kinks.
        void Unary(string name, Func<Tensor<double>, Tensor<double>> f, Func<GradCheckDraw, Tensor<double>> at) =>
            cases.Add(Op(name.ToLowerInvariant(), [$"{name}(x)"], d => Check(f, at(d))));
        Unary("Square", Square, d => Normal(d));
        Unary("OneMinus", OneMinus, d => Normal(d));
        Unary("Sqrt", Sqrt, d => Uniform(d.Shape, d.Seed, 0, 0.5, 3));
        Unary("Abs", Abs, d => AwayFromZero(d.Shape, d.Seed, 0));
        Unary("Sigmoid", Sigmoid, d => Normal(d));
        Unary("Tanh", Tanh, d => Normal(d));
        Unary("Exp", Exp, d => Normal(d));
        Unary("Log", Log, d => Uniform(d.Shape, d.Seed, 0, 0.3, 3));
        Unary("Relu", Relu, d => AwayFromZero(d.Shape, d.Seed, 0));

        // Along every axis (negative ones too for the softmaxes).
        IEnumerable<int> AllAxes(GradCheckDraw d) => Enumerable.Range(-d.Dims.Length, 2 * d.Dims.Length);
        cases.Add(Op("softmax (every axis)", ["Softmax(x, axis)"], d => All(AllAxes(d).Select(ax => (Func<GradCheckResult>)(() =>
            Check((Tensor<double> x) => Softmax(x, ax) * Normal(d, 3), Normal(d)))))));
        cases.Add(Op("log-softmax (every axis)", ["LogSoftmax(x, axis)"], d => All(AllAxes(d).Select(ax => (Func<GradCheckResult>)(() =>
            Check((Tensor<double> x) => LogSoftmax(x, ax) * Normal(d, 3), Normal(d)))))));
        cases.Add(Op("dropout (fixed mask)", ["Dropout(x, mask)"], d => All(
            () => Check((Tensor<double> x) => Dropout(x, DropoutMasks.Draw<double>(d.Shape, 0.4, new Rng(d.Seed + 29))), Normal(d)),
            () => Check((Tensor<double> x) => Dropout(x, DropoutMasks.Draw<double>(new Shape(d.Shape.Last), 0.4, new Rng(d.Seed + 29))), Normal(d)))));
        cases.Add(Op("masked softmax", ["MaskedSoftmax(x, mask)"], d =>
            Check((Tensor<double> x) => MaskedSoftmax(x, RowMask(d.Shape, d.Seed)) * Normal(d, 3), Normal(d))));
        cases.Add(Op("layer norm (last axis)", ["LayerNorm(x, gain, bias, epsilon)"], d =>
        {
            var (gain, bias) = (Normal(new Shape(d.Shape.Last), d.Seed, 1), Normal(new Shape(d.Shape.Last), d.Seed, 2));
            var weights = Normal(d, 3);   // so that ∂y is not constant along a row
            return All(
                () => Check(((Tensor<double> X, Tensor<double> G, Tensor<double> B) p) => LayerNorm(p.X, p.G, p.B) * weights, (Normal(d), gain, bias)),
                () => Check(((Tensor<double> X, Tensor<double> G, Tensor<double> B) p) => LayerNorm(p.X, p.G, p.B, epsilon: 0.5) * weights, (Normal(d), gain, bias)));
        }));

        // Reductions.
        cases.Add(Op("sum, mean (all)", ["Sum(x)", "Mean(x)"], d => All(
            () => Check((Tensor<double> x) => Sum(x), Normal(d)),
            () => Check((Tensor<double> x) => Mean(x), Normal(d)))));
        cases.Add(Op("sum, mean (every axis)", ["Sum(x, axis, keepDims)", "Mean(x, axis, keepDims)"], d => All(Axes(d).SelectMany(ax => new Func<GradCheckResult>[]
        {
            () => Check((Tensor<double> x) => Sum(x, ax), Normal(d)),
            () => Check((Tensor<double> x) => Mean(x, ax, keepDims: true), Normal(d)),
        }))));

        // Matrix products: every transpose form and a batched left operand. m = T, k = D, n = H, batch lead B.
        cases.Add(Op("matmul (transposes, batched)", ["MatMul(a, b, transposeA, transposeB)"], d =>
        {
            var (m, k, n) = (d.Time, d.Input, d.Hidden);
            Tensor<double> R(int salt, params int[] s) => Normal(new Shape(s), d.Seed, salt);
            return All(
                () => Check(((Tensor<double> A, Tensor<double> B) p) => MatMul(p.A, p.B), (R(1, m, k), R(2, k, n))),
                () => Check(((Tensor<double> A, Tensor<double> B) p) => MatMul(p.A, p.B, transposeA: true), (R(1, k, m), R(2, k, n))),
                () => Check(((Tensor<double> A, Tensor<double> B) p) => MatMul(p.A, p.B, transposeB: true), (R(1, m, k), R(2, n, k))),
                () => Check(((Tensor<double> A, Tensor<double> B) p) => MatMul(p.A, p.B, true, true), (R(1, k, m), R(2, n, k))),
                () => Check(((Tensor<double> A, Tensor<double> B) p) => MatMul(p.A, p.B), (R(1, d.Batch, m, k), R(2, k, n))));
        }));

        // Shape ops.
        cases.Add(Op("concat (every axis)", ["Concat(xs, axis)", "Concat(a, b)"], d => All(Axes(d).Select(ax => (Func<GradCheckResult>)(() =>
            Check((Tensor<double>[] xs) => Concat(xs, ax), new[] { Normal(d), Normal(d.Shape.With(ax, d.Dims[ax] + 1), d.Seed, 3), Normal(d.Shape.With(ax, 1), d.Seed, 4) })))
            .Append(() => Check(((Tensor<double> A, Tensor<double> B) p) => Concat(p.A, p.B), (Normal(d), Normal(d.Shape.With(d.Dims.Length - 1, 2), d.Seed, 5)))))));
        cases.Add(Op("slice, split, select", ["Slice(x, start, length, axis)", "Split(x, sizes, axis)", "Split(x, count, axis)", "Select(x, axis, index)"], d =>
            All(Axes(d).SelectMany(ax =>
            {
                int n = d.Dims[ax], start = Pick(d.Seed, n), length = n - start;
                return new Func<GradCheckResult>[]
                {
                    () => Check((Tensor<double> x) => Slice(x, start, length, ax), Normal(d)),
                    () => Check((Tensor<double> x) => Select(x, ax, n - 1), Normal(d)),
                    () => Check((Tensor<double> x) => { var parts = Split(x, [start, length], ax); return Concat([parts[1] * 2.0, parts[0]], ax); }, Normal(d)),
                    () => Check((Tensor<double> x) => Concat(Split(x, n, ax).Reverse().Select((p, i) => p * (i + 1.0)).ToArray(), ax), Normal(d)),
                };
            }))));
        cases.Add(Op("reshape, transpose", ["Reshape(x, shape)", "Transpose(x, axis0, axis1)"], d => All(
            new Func<GradCheckResult>[]
            {
                () => Check((Tensor<double> x) => Reshape(x, -1) * Normal(new Shape(d.Shape.Count), d.Seed, 9), Normal(d)),
                () => Check((Tensor<double> x) => Reshape(x, d.Dims.Reverse().ToArray()), Normal(d)),
            }.Concat(Axes(d).SelectMany(a0 => Axes(d).Select(a1 => (Func<GradCheckResult>)(() => Check((Tensor<double> x) => Transpose(x, a0, a1), Normal(d)))))))));
        cases.Add(Op("stack, unstack (every axis)", ["Stack(xs, axis)", "Unstack(x, axis)"], d => All(
            Enumerable.Range(0, d.Dims.Length + 1).Select(ax => (Func<GradCheckResult>)(() =>
                Check((Tensor<double>[] xs) => Stack(xs, ax), Enumerable.Range(0, 3).Select(i => Normal(d, 20 + i)).ToArray())))
            .Concat(Axes(d).Select(ax => (Func<GradCheckResult>)(() => Check((Tensor<double> x) => Stack(Unstack(x, ax).Reverse().ToArray(), ax), Normal(d))))))));
        cases.Add(Op("gather (repeated rows)", ["Gather(table, indices)"], d =>
        {
            int rows = d.Dims[0];
            var rng = new Rng(d.Seed);
            var indices = Enumerable.Range(0, rows + 2).Select(_ => rng.NextInt(rows)).ToArray();
            return Check((Tensor<double> table) => Gather(table, indices), Normal(new Shape(rows, d.Dims[^1]), d.Seed, 0));
        }));

        // Losses, plain and masked ([B, T, D] with a [B, T] padding mask).
        int[] Targets(int rows, int classes, long seed) { var rng = new Rng(seed); return Enumerable.Range(0, rows).Select(_ => rng.NextInt(classes)).ToArray(); }
        Shape Steps(GradCheckDraw d) => new(d.Batch, d.Time, d.Input);
        cases.Add(Op("mean squared error", ["MeanSquaredError(prediction, target)"], d =>
            Check(((Tensor<double> P, Tensor<double> Y) q) => MeanSquaredError(q.P, q.Y), (Normal(d), Normal(d, 1)))));
        cases.Add(Op("mean squared error (masked)", ["MeanSquaredError(prediction, target, mask)"], d =>
            Check(((Tensor<double> P, Tensor<double> Y) q) => MeanSquaredError(q.P, q.Y, PaddingMask(d)), (Normal(Steps(d), d.Seed, 0), Normal(Steps(d), d.Seed, 1)))));
        // Predictions 0.1 or more away from the targets: |ŷ − y| has a kink where they meet.
        cases.Add(Op("mean absolute error", ["MeanAbsoluteError(prediction, target)"], d =>
        {
            var y = Normal(d, 1);
            return Check((Tensor<double> p) => MeanAbsoluteError(p, y), y + AwayFromZero(d.Shape, d.Seed, 2));
        }));
        cases.Add(Op("mean abs error (masked)", ["MeanAbsoluteError(prediction, target, mask)"], d =>
        {
            var y = Normal(Steps(d), d.Seed, 1);
            return Check((Tensor<double> p) => MeanAbsoluteError(p, y, PaddingMask(d)), y + AwayFromZero(Steps(d), d.Seed, 2));
        }));
        cases.Add(Op("cross-entropy from logits", ["CrossEntropy(logits, targets)"], d =>
        {
            var targets = Targets(d.Shape.Count / d.Shape.Last, d.Shape.Last, d.Seed);
            return Check((Tensor<double> z) => CrossEntropy(z, targets), Normal(d));
        }));
        cases.Add(Op("cross-entropy per row", ["CrossEntropyPerRow(logits, targets)"], d =>
        {
            int rows = d.Shape.Count / d.Shape.Last;
            var targets = Targets(rows, d.Shape.Last, d.Seed);
            return Check((Tensor<double> z) => CrossEntropyPerRow(Reshape(z, rows, d.Shape.Last), targets) * Normal(new Shape(rows), d.Seed, 3), Normal(d));
        }));
        cases.Add(Op("cross-entropy (masked)", ["CrossEntropy(logits, targets, mask)"], d =>
        {
            var targets = Targets(d.Batch * d.Time, d.Input, d.Seed);
            return Check((Tensor<double> z) => CrossEntropy(z, targets, PaddingMask(d)), Normal(Steps(d), d.Seed, 0));
        }));

        // Cells, each unrolled over the draw's sequence into a scalar.
        cases.Add(Cell("rnn", "Rnn", d => Unrolled<Rnn<double>, RnnState<double>>(d, Rnn<double>.Create(d.Input, d.Hidden, d.Seed))));
        cases.Add(Cell("lstm", "Lstm", d => Unrolled<Lstm<double>, LstmState<double>>(d, Lstm<double>.Create(d.Input, d.Hidden, d.Seed))));
        cases.Add(Cell("lstm (masked)", "Lstm", d => Unrolled<Lstm<double>, LstmState<double>>(d, Lstm<double>.Create(d.Input, d.Hidden, d.Seed), masked: true)));
        cases.Add(Cell("peephole lstm (full)", "PeepholeLstm", d => Unrolled<PeepholeLstm<double>, LstmState<double>>(d, PeepholeLstm<double>.Create(d.Input, d.Hidden, d.Seed))));
        cases.Add(Cell("peephole lstm (diagonal)", "PeepholeLstm", d => Unrolled<PeepholeLstm<double>, LstmState<double>>(d, PeepholeLstm<double>.Create(d.Input, d.Hidden, d.Seed, diagonal: true))));
        cases.Add(Cell("coupled lstm", "CoupledLstm", d => Unrolled<CoupledLstm<double>, LstmState<double>>(d, CoupledLstm<double>.Create(d.Input, d.Hidden, d.Seed))));
        cases.Add(Cell("gru (essay)", "Gru", d => Unrolled<Gru<double>, RnnState<double>>(d, Gru<double>.Create(d.Input, d.Hidden, d.Seed))));
        cases.Add(Cell("gru reset-after (PyTorch)", "GruResetAfter", d => Unrolled<GruResetAfter<double>, RnnState<double>>(d, GruResetAfter<double>.Create(d.Input, d.Hidden, d.Seed))));
        cases.Add(Cell("gru reset-after (masked)", "GruResetAfter", d => Unrolled<GruResetAfter<double>, RnnState<double>>(d, GruResetAfter<double>.Create(d.Input, d.Hidden, d.Seed), masked: true)));
        cases.Add(Cell("layer-norm lstm", "LayerNormLstm", d =>
        {
            Tensor<double> R(int n, int salt) => Normal(new Shape(n), d.Seed, salt);
            int h = d.Hidden;
            // random gains and shifts, so the gradient of every LN parameter is exercised away from 1 and 0
            return Unrolled<LayerNormLstm<double>, LstmState<double>>(d, LayerNormLstm<double>.Create(d.Input, h, d.Seed) with
            {
                GainH = R(4 * h, 21), BiasH = R(4 * h, 22), GainX = R(4 * h, 23), BiasX = R(4 * h, 24), GainC = R(h, 25), BiasC = R(h, 26),
            });
        }));
        cases.Add(Cell("projection lstm", "ProjectionLstm", d => Unrolled<ProjectionLstm<double>, LstmState<double>>(d,
            ProjectionLstm<double>.Create(d.Input, d.Hidden, 1 + Pick(d.Seed, 4), d.Seed))));
        cases.Add(Cell("depth-gated lstm", "DepthGatedLstm", d => Unrolled<DepthGatedLstm<double>, LstmState<double>[]>(d,
            DepthGatedLstm<double>.Create(d.Input, d.Hidden, layers: 1 + Pick(d.Seed, 3), d.Seed))));
        cases.Add(Cell("grid lstm", "GridLstm", d => Unrolled<GridLstm<double>, GridLstmState<double>>(d,
            GridLstm<double>.Create(d.Input, d.Hidden, layers: 1 + Pick(d.Seed, 3), d.Seed))));
        cases.Add(Cell("grid lstm (standard, masked)", "GridLstm", d => Unrolled<GridLstm<double>, GridLstmState<double>>(d,
            GridLstm<double>.Create(d.Input, d.Hidden, layers: 2, d.Seed, output: GridLstmOutput.Standard), masked: true)));
        cases.Add(Cell("clockwork rnn", "ClockworkRnn", d => Unrolled<ClockworkRnn<double>, ClockworkState<double>>(d,
            ClockworkRnn<double>.Create(d.Input, d.Hidden, ClockworkRnn.ExponentialPeriods(1 + Pick(d.Seed, 3)), d.Seed))));
        cases.Add(Cell("stacked lstm ×2", "Stacked", d => Unrolled<Stacked<LstmState<double>, double>, LstmState<double>[]>(d,
            Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(d.Input, d.Hidden, d.Seed), Lstm<double>.Create(d.Hidden, 3, d.Seed + 1)))));

        cases.Add(Cell("stacked lstm ×2 (dropout)", "Stacked", d =>
        {
            var stack = Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(d.Input, d.Hidden, d.Seed), Lstm<double>.Create(d.Hidden, 2, d.Seed + 1));
            var masks = DropoutMasks.BetweenLayers(stack, d.Batch, d.Time, 0.4, new Rng(d.Seed + 31));
            long s = d.Seed + 5;
            var state = ParameterTree<double>.Map(stack.InitialState(d.Batch), z => Tensor.RandomNormal<double>(z.Shape, s++, std: 0.5));
            return Check(((Stacked<LstmState<double>, double> Net, LstmState<double>[] State, Tensor<double> X) p) =>
                SequenceLoss(p.Net.UnrollWithDropout(p.X, p.State, masks), d.Seed), (stack, state, SequenceInputs(d)));
        }));
        cases.Add(Cell("variational dropout (lstm)", "VariationalDropout", d => UnrolledWithMasks<VariationalDropout<LstmState<double>, double>, LstmState<double>>(d,
            new VariationalDropout<LstmState<double>, double>(Lstm<double>.Create(d.Input, d.Hidden, d.Seed)), (c, x) => c.TrainingInputs(x, 0.4, 0.4, new Rng(d.Seed + 37)))));
        cases.Add(Cell("variational dropout (gru)", "VariationalDropout", d => UnrolledWithMasks<VariationalDropout<RnnState<double>, double>, RnnState<double>>(d,
            new VariationalDropout<RnnState<double>, double>(GruResetAfter<double>.Create(d.Input, d.Hidden, d.Seed)), (c, x) => c.TrainingInputs(x, 0.3, 0.5, new Rng(d.Seed + 37)))));
        cases.Add(Cell("zoneout (lstm)", "Zoneout", d => UnrolledWithMasks<Zoneout<LstmState<double>, double>, LstmState<double>>(d,
            new Zoneout<LstmState<double>, double>(Lstm<double>.Create(d.Input, d.Hidden, d.Seed)), (c, x) => c.TrainingInputs(x, 0.4, new Rng(d.Seed + 41)))));
        cases.Add(Cell("zoneout (gru, evaluation)", "Zoneout", d => UnrolledWithMasks<Zoneout<RnnState<double>, double>, RnnState<double>>(d,
            new Zoneout<RnnState<double>, double>(GruResetAfter<double>.Create(d.Input, d.Hidden, d.Seed)), (c, x) => c.EvaluationInputs(x, 0.3))));

        // Layers around the cells.
        cases.Add(new("bidirectional (masked)", "layer", ["Bidirectional"], d =>
        {
            // The backward direction may have another cell and hidden size; here a diagonal peephole LSTM of size 2.
            var bi = new Bidirectional<LstmState<double>, double>(Lstm<double>.Create(d.Input, d.Hidden, d.Seed), PeepholeLstm<double>.Create(d.Input, 2, d.Seed + 3, diagonal: true));
            var mask = PaddingMask(d);
            var r = Normal(new Shape(d.Batch, d.Time, d.Hidden + 2), d.Seed, 7);
            return Check(((Bidirectional<LstmState<double>, double> Net, Tensor<double> X) p) =>
            {
                var result = p.Net.Unroll(p.X, mask);
                return Sum(result.Outputs * r) + Sum(result.BackwardFinal.C) + Sum(result.ForwardFinal.H);
            }, (bi, SequenceInputs(d)));
        }));
        cases.Add(new("recurrent layers (bi, head)", "layer", ["RecurrentLayers"], d =>
        {
            // PyTorch's layout: 2 layers, the upper one reading both directions of the lower; a head; random initial states; padding.
            var net = RecurrentLayers.Create<RnnState<double>, double>(d.Input, d.Hidden, 2, bidirectional: true,
                (i, h, s) => GruResetAfter<double>.Create(i, h, s), d.Seed, headSize: 2);
            long s = d.Seed + 5;
            var state = ParameterTree<double>.Map(net.InitialState(d.Batch), z => Tensor.RandomNormal<double>(z.Shape, s++, std: 0.5));
            var mask = PaddingMask(d);
            var r = Normal(new Shape(d.Batch, d.Time, 2), d.Seed, 7);
            return Check(((RecurrentLayers<RnnState<double>, double> Net, RnnState<double>[] State, Tensor<double> X) p) =>
            {
                var result = p.Net.Unroll(p.X, p.State, mask);
                return Sum(p.Net.Head!.Apply(result.Outputs) * r) + SequenceLoss(new SequenceResult<RnnState<double>[], double>(result.Outputs, result.Final), d.Seed);
            }, (net, state, SequenceInputs(d)));
        }));
        cases.Add(new("linear", "layer", ["Linear"], d =>
            Check(((Linear<double> L, Tensor<double> X) p) => p.L.Apply(p.X), (Linear<double>.Create(d.Input, d.Hidden, d.Seed), SequenceInputs(d)))));
        cases.Add(new("embedding", "layer", ["Embedding"], d =>
        {
            var symbols = Enumerable.Range(0, d.Batch * d.Time).Select(i => Pick(d.Seed + i, d.Input + 1)).ToArray();
            return Check((Embedding<double> e) => e.Apply(symbols, d.Batch, d.Time), Embedding<double>.Create(d.Input + 1, d.Hidden, d.Seed));
        }));
        return cases;
    }
}
