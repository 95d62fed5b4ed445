using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests.Onnx;

/// <summary>
/// A traced-export case: batch B, time T, input D, hidden H, the seed of every value, and whether the graph takes a
/// padding mask (random lengths from 0, one sequence full) and an initial state (random).
/// </summary>
public sealed record TracedCase(int B, int T, int D, int H, long Seed, bool Masked, bool WithState)
{
    public override string ToString() => $"B {B} T {T} D {D} H {H} seed {Seed} masked {Masked} state {WithState}";

    public OnnxExportOptions Options => new() { SequenceLengths = Masked, InitialState = WithState };

    /// <summary>A second generator for the case's structural choices (projection size, modules, layers...).</summary>
    public Rng Choices => new(Seed + 99);

    /// <summary>B∈[1,3], T∈[1,6], D∈[1,6], H∈[1,6], shrinking each towards 1 and the options towards off.</summary>
    public static Arbitrary<TracedCase> Arb() =>
        FsCheck.Fluent.Arb.From(
            from b in Gen.Choose(1, 3) from t in Gen.Choose(1, 6) from d in Gen.Choose(1, 6) from h in Gen.Choose(1, 6)
            from s in Props.Seeds from m in Gen.Elements(false, true) from w in Gen.Elements(false, true)
            select new TracedCase(b, t, d, h, s, m, w),
            c => new[] { c with { B = c.B - 1 }, c with { T = c.T - 1 }, c with { D = c.D - 1 }, c with { H = c.H - 1 }, c with { Masked = false }, c with { WithState = false } }
                .Where(x => x.B >= 1 && x.T >= 1 && x.D >= 1 && x.H >= 1 && x != c));
}

/// <summary>The arbitrary of <see cref="TracedCase"/>.</summary>
public static class TracedCases { public static Arbitrary<TracedCase> Cases() => TracedCase.Arb(); }

/// <summary>
/// The traced ONNX export (<see cref="OnnxTracedExport"/>): for every cell, ONNX Runtime running the exported graph gives
/// our unroll's outputs and final state (through the fused kernel where the cell has one), to 1e-5, over random sizes,
/// weights, inputs, padding and initial states.
/// </summary>
[Properties(Arbitrary = new[] { typeof(TracedCases) }, MaxTest = 20)]
public class TracedExportTests
{
    private const float Tolerance = 1e-5f;

    /// <summary>|ours − ort| ≤ 1e-5·max(1, |ours|) elementwise, with the same shape.</summary>
    internal static void Close(Tensor<float> ours, Tensor<float> ort, string what)
    {
        Assert.True(ours.Shape == ort.Shape, $"{what}: shape {ort.Shape} from ONNX Runtime, {ours.Shape} ours");
        var (a, b) = (ours.AsSpan().ToArray(), ort.AsSpan().ToArray());
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= Tolerance * Math.Max(1, Math.Abs(a[i])), $"{what}[{i}]: ONNX Runtime {b[i]}, ours {a[i]}");
    }

    private static (Tensor<float>? Mask, int[] Lengths) Mask(TracedCase c)
    {
        if (!c.Masked) return (null, []);
        var rng = new Rng(c.Seed + 13);
        var lengths = Enumerable.Range(0, c.B).Select(_ => rng.NextInt(c.T + 1)).ToArray();   // empty sequences too
        lengths[rng.NextInt(c.B)] = c.T;
        return (Sequence.MaskFromLengths<float>(lengths, c.T), lengths);
    }

    private static TState RandomState<TState>(TState zero, long seed) =>
        ParameterTree<float>.Map(zero, z => Tensor.RandomNormal<float>(z.Shape, seed++, std: 0.5));

    /// <summary>Exports <paramref name="cell"/> traced, runs it in ONNX Runtime on <paramref name="x"/> and compares with <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/>.</summary>
    internal static void TracedEqualsOurs<TState>(IRecurrentCell<TState, float> cell, TracedCase c, Tensor<float>? inputs = null)
    {
        var x = inputs ?? Tensor.RandomNormal<float>(new Shape(c.B, c.T, cell.InputSize), c.Seed + 11);
        var model = OnnxTracedExport.Unroll(cell, c.B, c.T, c.Options);
        var initial = c.WithState ? RandomState(cell.InitialState(c.B), c.Seed + 5) : cell.InitialState(c.B);
        var (mask, _) = Mask(c);
        var ours = mask is null ? Sequence.Unroll(cell, x, initial) : Sequence.Unroll(cell, x, initial, mask);
        var feeds = new List<OrtRunner.Feed> { OrtRunner.Feed.Of("input", x) };
        if (mask is not null) feeds.Add(OrtRunner.Feed.Of("mask", mask));
        if (c.WithState) feeds.AddRange(ParameterTree<float>.Flatten(initial!).Select(l => OrtRunner.Feed.Of(Name("state", l.Name), l.Value)));
        var ort = OrtRunner.Run(model, [.. feeds]);
        Close(ours.Outputs, ort["output"], "output");
        var finals = ParameterTree<float>.Flatten(ours.Final!);
        Assert.Equal(1 + finals.Count, ort.Count);
        foreach (var f in finals) Close(f.Value, ort[Name("final", f.Name)], Name("final", f.Name));
    }

    internal static string Name(string prefix, string path) => path.StartsWith('[') ? prefix + path : $"{prefix}.{path}";

    private static Tensor<float> R(TracedCase c, long salt, params int[] shape) => Tensor.RandomNormal<float>(new Shape(shape), c.Seed + salt);

    // The cells ONNX has no operator for.

    [Property] public void Coupled_lstm(TracedCase c) => TracedEqualsOurs(CoupledLstm<float>.Create(c.D, c.H, c.Seed), c);

    [Property]
    public void Layer_norm_lstm_with_random_gains_and_epsilon(TracedCase c) => TracedEqualsOurs(LayerNormLstm<float>.Create(c.D, c.H, c.Seed) with
    {
        B = R(c, 20, 4 * c.H), GainH = R(c, 21, 4 * c.H), BiasH = R(c, 22, 4 * c.H), GainX = R(c, 23, 4 * c.H), BiasX = R(c, 24, 4 * c.H),
        GainC = R(c, 25, c.H), BiasC = R(c, 26, c.H), Epsilon = 0.05,
    }, c);

    /// <summary>
    /// A layer-norm LSTM with ε = 0.05: with the default 1e-5, two nearly equal features (H = 2) make LN(C) amplify float32
    /// rounding by up to 1/√ε ≈ 300, past 1e-5, in ONNX Runtime and here alike (a property of float32, not of the export).
    /// </summary>
    private static LayerNormLstm<float> WellConditionedLayerNorm(TracedCase c) => LayerNormLstm<float>.Create(c.D, c.H, c.Seed) with { Epsilon = 0.05 };

    [Property] public void Projection_lstm(TracedCase c) => TracedEqualsOurs(ProjectionLstm<float>.Create(c.D, c.H, 1 + c.Choices.NextInt(c.H), c.Seed), c);

    [Property] public void Peephole_lstm_with_full_peepholes(TracedCase c) => TracedEqualsOurs(PeepholeLstm<float>.Create(c.D, c.H, c.Seed, diagonal: false), c);

    [Property]
    public void Clockwork_rnn_with_random_modules_and_periods(TracedCase c)
    {
        var rng = c.Choices;
        int modules = 1 + rng.NextInt(3);
        var sizes = Enumerable.Range(0, modules).Select(_ => 1 + rng.NextInt(3)).ToArray();
        var periods = new int[modules];
        for (int i = 0; i < modules; i++) periods[i] = (i == 0 ? 0 : periods[i - 1]) + 1 + rng.NextInt(3);
        TracedEqualsOurs(ClockworkRnn<float>.Create(c.D, sizes, periods, c.Seed), c);
    }

    [Property] public void Depth_gated_lstm(TracedCase c) => TracedEqualsOurs(DepthGatedLstm<float>.Create(c.D, c.H, 1 + c.Choices.NextInt(3), c.Seed), c);

    [Property]
    public void Grid_lstm_in_both_output_forms(TracedCase c)
    {
        var rng = c.Choices;
        TracedEqualsOurs(GridLstm<float>.Create(c.D, c.H, 1 + rng.NextInt(2), c.Seed, output: rng.NextInt(2) == 0 ? GridLstmOutput.Paper : GridLstmOutput.Standard), c);
    }

    [Property]
    public void Stacked_cells_without_an_onnx_operator(TracedCase c) => TracedEqualsOurs(Stacked<LstmState<float>, float>.Of(
        CoupledLstm<float>.Create(c.D, c.H, c.Seed), PeepholeLstm<float>.Create(c.H, c.H, c.Seed + 1), ProjectionLstm<float>.Create(c.H, c.H + 1, c.H, c.Seed + 2)), c);

    [Property]
    public void Zoneout_evaluation_cell(TracedCase c) =>
        TracedEqualsOurs(new RecurrentRegularisation { Zoneout = 0.1 + 0.8 * c.Choices.NextDouble() }.EvaluationCell(PeepholeLstm<float>.Create(c.D, c.H, c.Seed)), c);

    [Property]
    public void Variational_dropout_in_evaluation(TracedCase c)
    {
        var cell = new VariationalDropout<LstmState<float>, float>(CoupledLstm<float>.Create(c.D, c.H, c.Seed));
        TracedEqualsOurs(cell, c, cell.EvaluationInputs(Tensor.RandomNormal<float>(new Shape(c.B, c.T, c.D), c.Seed + 11)));
    }

    // The cells ONNX has operators for: the traced graph equals our fused kernels too.

    [Property] public void Rnn(TracedCase c) => TracedEqualsOurs(Rnn<float>.Create(c.D, c.H, c.Seed), c);

    [Property] public void Gru(TracedCase c) => TracedEqualsOurs(Gru<float>.Create(c.D, c.H, c.Seed), c);

    [Property] public void Gru_reset_after(TracedCase c) => TracedEqualsOurs(GruResetAfter<float>.Create(c.D, c.H, c.Seed), c);

    [Property] public void Lstm(TracedCase c) => TracedEqualsOurs(Lstm<float>.Create(c.D, c.H, c.Seed), c);

    [Property] public void Peephole_lstm_with_diagonal_peepholes(TracedCase c) => TracedEqualsOurs(PeepholeLstm<float>.Create(c.D, c.H, c.Seed, diagonal: true), c);

    [Property]
    public void Stacked_native_cells(TracedCase c) =>
        TracedEqualsOurs(Stacked<RnnState<float>, float>.Of(Gru<float>.Create(c.D, c.H, c.Seed), GruResetAfter<float>.Create(c.H, c.H, c.Seed + 1)), c);

    [Property(MaxTest = 10)]
    public void A_double_cell_exports_as_float32(TracedCase c)
    {
        // The graph computes in float32 from the double weights rounded once, so it agrees with the double unroll to float
        // precision. (Not a layer-norm cell: normalising nearly equal features amplifies float32 rounding beyond 1e-5.)
        var cell = CoupledLstm<double>.Create(c.D, c.H, c.Seed);
        var x = Tensor.RandomNormal<double>(new Shape(c.B, c.T, c.D), c.Seed + 11);
        var ort = OrtRunner.Run(OnnxTracedExport.Unroll(cell, c.B, c.T), OrtRunner.Feed.Of("input", x));
        var ours = Sequence.Unroll(cell, x);
        Tensor<float> F(Tensor<double> t) => Tensor.FromArray([.. t.AsSpan().ToArray().Select(v => (float)v)], t.Shape);
        Close(F(ours.Outputs), ort["output"], "output");
        Close(F(ours.Final.C), ort["final.C"], "final.C");
    }

    // Two directions.

    [Property]
    public void Bidirectional_cells(TracedCase c) => BidirectionalEqualsOurs(
        new Bidirectional<LstmState<float>, float>(WellConditionedLayerNorm(c), Lstm<float>.Create(c.D, 1 + c.Choices.NextInt(4), c.Seed + 1)), c);

    [Property(MaxTest = 10)]
    public void Bidirectional_stacks(TracedCase c) => BidirectionalEqualsOurs(new Bidirectional<LstmState<float>[], float>(
        Stacked<LstmState<float>, float>.Of(CoupledLstm<float>.Create(c.D, c.H, c.Seed), PeepholeLstm<float>.Create(c.H, c.H, c.Seed + 1)),
        Stacked<LstmState<float>, float>.Of(Lstm<float>.Create(c.D, c.H, c.Seed + 2), ProjectionLstm<float>.Create(c.H, c.H, 1 + c.Choices.NextInt(c.H), c.Seed + 3))), c);

    private static void BidirectionalEqualsOurs<TState>(Bidirectional<TState, float> encoder, TracedCase c)
    {
        var x = Tensor.RandomNormal<float>(new Shape(c.B, c.T, c.D), c.Seed + 11);
        var model = OnnxTracedExport.Bidirectional(encoder, c.B, c.T, c.Options);
        var forward = c.WithState ? RandomState(encoder.Forward.InitialState(c.B), c.Seed + 5) : encoder.Forward.InitialState(c.B);
        var backward = c.WithState ? RandomState(encoder.Backward.InitialState(c.B), c.Seed + 50) : encoder.Backward.InitialState(c.B);
        var (mask, _) = Mask(c);
        var ours = encoder.Unroll(x, forward, backward, mask);
        var feeds = new List<OrtRunner.Feed> { OrtRunner.Feed.Of("input", x) };
        if (mask is not null) feeds.Add(OrtRunner.Feed.Of("mask", mask));
        if (c.WithState)
        {
            feeds.AddRange(ParameterTree<float>.Flatten(forward!).Select(l => OrtRunner.Feed.Of(Name("state.forward", l.Name), l.Value)));
            feeds.AddRange(ParameterTree<float>.Flatten(backward!).Select(l => OrtRunner.Feed.Of(Name("state.backward", l.Name), l.Value)));
        }
        var ort = OrtRunner.Run(model, [.. feeds]);
        Close(ours.Outputs, ort["output"], "output");
        int finals = 0;
        foreach (var (prefix, final) in new[] { ("final.forward", ours.ForwardFinal), ("final.backward", ours.BackwardFinal) })
            foreach (var f in ParameterTree<float>.Flatten(final!))
            {
                Close(f.Value, ort[Name(prefix, f.Name)], Name(prefix, f.Name));
                finals++;
            }
        Assert.Equal(1 + finals, ort.Count);
    }

    // Attention sequence-to-sequence: the teacher-forced prediction.

    [Property(MaxTest = 12)]
    public void Attention_seq2seq_teacher_forced_prediction(TracedCase c)
    {
        var rng = c.Choices;
        int sourceVocabulary = 2 + rng.NextInt(5), targetVocabulary = 2 + rng.NextInt(5), targetSteps = 1 + rng.NextInt(4);
        var model = AttentionSeq2Seq.Create<float>(sourceVocabulary, targetVocabulary, c.D, c.H, 1 + rng.NextInt(4), c.Seed, bidirectional: rng.NextInt(2) == 0);
        var (_, lengths) = Mask(c);
        var sources = Enumerable.Range(0, c.B).Select(b => Enumerable.Range(0, c.Masked ? Math.Max(1, lengths[b]) : c.T).Select(_ => rng.NextInt(sourceVocabulary)).ToArray()).ToArray();
        var targets = Enumerable.Range(0, c.B).Select(_ => Enumerable.Range(0, targetSteps).Select(_ => rng.NextInt(targetVocabulary)).ToArray()).ToArray();
        var batch = Seq2SeqBatch.Create(sources, targets);
        var onnx = OnnxTracedExport.Seq2Seq(model, c.B, c.T, targetSteps, new OnnxExportOptions { SequenceLengths = c.Masked });
        var ours = model.Forward(batch);
        var feeds = new List<OrtRunner.Feed>
        {
            OrtRunner.Feed.Int64("source", [.. batch.Source.Select(s => (long)s)], c.B, c.T),
            OrtRunner.Feed.Int64("target", [.. batch.Target.Select(s => (long)s)], c.B, targetSteps),
        };
        if (c.Masked) feeds.Add(OrtRunner.Feed.Of("source_mask", batch.SourceMask<float>()));
        var ort = OrtRunner.Run(onnx, [.. feeds]);
        Close(ours.Logits, ort["logits"], "logits");
        Close(ours.Attention, ort["attention"], "attention");
    }

    [Fact]
    public void Seq2seq_refuses_an_initial_state()
    {
        var model = AttentionSeq2Seq.Create<float>(3, 3, 2, 2, 2, 1);
        var e = Assert.Throws<OnnxExportException>(() => OnnxTracedExport.Seq2Seq(model, 1, 2, 2, new OnnxExportOptions { InitialState = true }));
        Assert.Contains("initial state", e.Message);
    }

    // What cannot be traced.

    /// <summary>A cell whose step calls an op of its own, which no ONNX rule knows.</summary>
    private sealed record CustomOpCell(Tensor<float> W) : IRecurrentCell<RnnState<float>, float>
    {
        public int InputSize => W.Shape[0];
        public int OutputSize => W.Shape[1];
        public RnnState<float> InitialState(int batchSize) => new(Tensor.Zeros<float>(batchSize, OutputSize));
        public RnnState<float> Step(RnnState<float> state, Tensor<float> input) =>
            new(state.H + Ops.Custom("my_product", Ops.MatMul(input.Detach(), W.Detach()), [input, W], g => [null, null]));
        public Tensor<float> Output(RnnState<float> state) => state.H;
    }

    [Fact]
    public void An_op_without_an_onnx_rule_is_named_with_the_cell()
    {
        var e = Assert.Throws<OnnxExportException>(() => OnnxTracedExport.Unroll(new CustomOpCell(Tensor.Ones<float>(2, 3)), 2, 3));
        Assert.Contains("'my_product' has no ONNX rule", e.Message);
        Assert.Contains("CustomOpCell", e.Message);
    }

    [Fact]
    public void The_export_traces_the_equations_never_a_fused_kernel()
    {
        // An Lstm unrolls fused; its traced graph holds the equations' nodes (Sigmoid, Tanh), not one opaque node.
        using var trace = UnrollTrace.Start();
        var model = OnnxTracedExport.Unroll(Lstm<float>.Create(2, 3, 7), 2, 3);
        Assert.DoesNotContain(trace.Paths, p => p.Fused);
        var text = System.Text.Encoding.Latin1.GetString(model);
        Assert.Contains("Sigmoid", text);
        Assert.Contains("Tanh", text);
    }
}
