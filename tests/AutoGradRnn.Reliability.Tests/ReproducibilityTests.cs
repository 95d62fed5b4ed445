using static AutoGradRnn.Ops;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// Same seed → bit-identical losses and parameters after N training steps: in one process, across two processes, and
/// with many trainings running on parallel threads (no shared mutable state). Float arithmetic is deterministic
/// here because every reduction runs in a fixed order on one thread.
/// </summary>
[Collection("processes")]
public class ReproducibilityTests
{
    [Fact]
    public void Same_seed_same_bits_in_one_process_and_across_two_processes()
    {
        var inProcess = Probe.TrainDigest(seed: 3, steps: 25);
        Assert.Equal(inProcess, Probe.TrainDigest(seed: 3, steps: 25));
        Assert.NotEqual(inProcess, Probe.TrainDigest(seed: 4, steps: 25));
        var digests = Enumerable.Range(0, 2).Select(_ =>
        {
            using var child = Repo.StartProbe("train", "3", "25");
            var output = child.StandardOutput.ReadToEnd().Trim();
            child.WaitForExit();
            Assert.Equal(0, child.ExitCode);
            return output;
        }).ToArray();
        Assert.Equal(inProcess, digests[0]);
        Assert.Equal(inProcess, digests[1]);
    }

    [Fact]
    public void Large_products_give_the_same_bits_with_one_or_two_threads()
    {
        var a = Tensor.RandomNormal<float>(new Shape(64, 700), 1);
        var b = Tensor.RandomNormal<float>(new Shape(700, 1024), 2);
        var results = new List<float[]>();
        try
        {
            foreach (var threads in new[] { 1, 2, 1, 2 })
            {
                Parallelism.SetMaxThreads(threads);
                results.Add(MatMul(a, b).ToArray());
                results.Add(MatMul(a, b, transposeB: false).ToArray());
                results.Add(Autodiff.Grad((Tensor<float> w) => Sum(Tanh(MatMul(a, w))), b).ToArray());
            }
        }
        finally { Parallelism.SetMaxThreads(Environment.ProcessorCount); }
        for (int i = 3; i < results.Count; i++) Assert.Equal(results[i % 3], results[i]);
    }

    [Fact]
    public void Fused_sequences_split_over_batch_chunks_give_the_same_bits_with_one_or_two_threads()
    {
        // B = 37: chunks of whole 8-row tiles plus a ragged end; a mask and carried states exercise every branch.
        var x = Tensor.RandomNormal<float>(new Shape(37, 30, 9), 5);
        var mask = Sequence.MaskFromLengths<float>(Enumerable.Range(0, 37).Select(b => 30 - b % 7).ToArray(), 30);
        var lstm = Lstm<float>.Create(9, 48, 6);
        var gru = Gru<float>.Create(9, 48, 7);
        var peephole = PeepholeLstm<float>.Create(9, 48, 9, diagonal: true);   // per-row sums for the peephole and LN parameters
        var layerNorm = LayerNormLstm<float>.Create(9, 48, 10) with { GainC = Tensor.RandomNormal<float>(new Shape(48), 11) };
        var gruResetAfter = GruResetAfter<float>.Create(9, 48, 12);   // its one-pass backward writes dA over the saved rows
        var rnn = Rnn<float>.Create(9, 48, 13);
        var h0 = Tensor.RandomNormal<float>(new Shape(37, 48), 8);
        var results = new List<float[]>();
        try
        {
            foreach (var threads in new[] { 1, 2, 1, 2 })
            {
                Parallelism.SetMaxThreads(threads);
                var (loss, g) = Autodiff.ValueAndGrad((Lstm<float> p) => Sum(Tanh(Sequence.Unroll(p, x, p.InitialState(37), mask).Outputs)), lstm);
                results.Add([loss.ToScalar(), .. g.Wf.ToArray(), .. g.Wo.ToArray(), .. g.Bc.ToArray()]);
                var gh = Autodiff.Grad((Tensor<float> h) => Sum(Sequence.Unroll(gru, x, new RnnState<float>(h), mask).Outputs), h0);
                var gg = Autodiff.Grad((Gru<float> p) => Sum(Sequence.Unroll(p, x).Outputs), gru);
                results.Add([.. gh.ToArray(), .. gg.Wz.ToArray(), .. gg.W.ToArray()]);
                var gp = Autodiff.Grad((PeepholeLstm<float> p) => Sum(Tanh(Sequence.Unroll(p, x, p.InitialState(37), mask).Outputs)), peephole);
                results.Add([.. gp.Pf.ToArray(), .. gp.Pi.ToArray(), .. gp.Po.ToArray(), .. gp.Wo.ToArray()]);
                var gl = Autodiff.Grad((LayerNormLstm<float> p) => Sum(Tanh(Sequence.Unroll(p, x, p.InitialState(37), mask).Outputs)), layerNorm);
                results.Add([.. gl.GainH.ToArray(), .. gl.BiasX.ToArray(), .. gl.GainC.ToArray(), .. gl.BiasC.ToArray(), .. gl.Wh.ToArray(), .. gl.Wx.ToArray()]);
                var (gr, gx) = Autodiff.Grad(((GruResetAfter<float> Cell, Tensor<float> X) p) => Sum(Tanh(Sequence.Unroll(p.Cell, p.X, p.Cell.InitialState(37), mask).Outputs)), (gruResetAfter, x));
                var gn = Autodiff.Grad((Rnn<float> p) => Sum(Tanh(Sequence.Unroll(p, x, new RnnState<float>(h0), mask).Outputs)), rnn);
                results.Add([.. gr.Wr.ToArray(), .. gr.Wnx.ToArray(), .. gr.Wnh.ToArray(), .. gr.Bnx.ToArray(), .. gr.Bnh.ToArray(), .. gx.ToArray(), .. gn.W.ToArray(), .. gn.B.ToArray()]);
            }
        }
        finally { Parallelism.SetMaxThreads(Environment.ProcessorCount); }
        for (int i = 5; i < results.Count; i++) Assert.Equal(results[i % 5], results[i]);
    }

    [Fact]
    public void Trainings_on_parallel_threads_give_exactly_their_sequential_results()
    {
        var seeds = Enumerable.Range(10, 8).Select(i => (long)i).ToArray();
        var sequential = seeds.Select(s => Probe.TrainDigest(s, 15)).ToArray();
        var parallel = new string[seeds.Length];
        Parallel.For(0, seeds.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => parallel[i] = Probe.TrainDigest(seeds[i], 15));
        Assert.Equal(sequential, parallel);
    }
}

/// <summary>Extreme inputs stay finite where the math is finite; divergence is caught and named.</summary>
public class NumericalRobustnessTests
{
    private static readonly Tensor<double> Extreme = Tensor.FromArray([-1e4, -50.0, 0.0, 50.0, 1e4]);

    [Fact]
    public void Activations_softmax_and_cross_entropy_stay_finite_at_plus_minus_1e4()
    {
        Assert.Equal([0.0, 0.0, 0.5, 1.0, 1.0], Sigmoid(Extreme).ToArray().Select(v => Math.Round(v, 12)));
        Assert.Equal([-1.0, -1.0, 0.0, 1.0, 1.0], Tanh(Extreme).ToArray());
        Assert.True(Softmax(Extreme).IsFinite());
        Assert.True(LogSoftmax(Extreme).IsFinite());
        var logits = Tensor.FromRows([1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]);
        var ce = CrossEntropy(logits, [1, 0]);
        Assert.Equal(2e4, ce.ToScalar(), 1e-6);                                  // exact: log-sum-exp never overflows
        var g = Autodiff.Grad((Tensor<double> z) => CrossEntropy(z, [1, 0]), logits);
        Assert.True(g.IsFinite());
        var f32 = Tensor.Convert<double, float>(logits);
        Assert.True(CrossEntropy(f32, [1, 0]).IsFinite());
        Assert.True(Autodiff.Grad((Tensor<float> x) => Sum(Sigmoid(x) * Tanh(x)), Tensor.Convert<double, float>(Extreme)).IsFinite());
    }

    [Fact]
    public void An_lstm_fed_1e4_inputs_keeps_finite_states_and_gradients()
    {
        var cell = Lstm<double>.Create(2, 3, 1);
        var x = Tensor.Fill(1e4, 2, 10, 2);
        var (value, grads) = Autodiff.ValueAndGrad((Lstm<double> c) => Sum(Sequence.Unroll(c, x).Final.C), cell);
        Assert.True(value.IsFinite());
        Assert.All(ParameterTree<double>.Leaves(grads), t => Assert.True(t.IsFinite()));
    }

    private sealed record Scalar(Tensor<double> W);

    private sealed record Batch : ITrainingBatch { public int Items => 1; }

    [Fact]
    public void Exploding_gradients_are_caught_by_clipping_and_reported()
    {
        // d/dw of w^8 at w = 3 is 8·3^7 ≈ 17,500: without clipping SGD overshoots and diverges within a few steps.
        Tensor<double> Loss(Scalar p, Batch b) => Sum(Square(Square(Square(p.W))));
        var unclipped = Assert.Throws<TrainingDivergedException>(() =>
            Trainer<double>.Fit(new Scalar(Tensor.FromArray([3.0])), new Sgd<double>(0.01), Loss, [new Batch()], [], new TrainerOptions { Epochs = 50 }));
        Assert.Contains("gradient norm", unclipped.Message);
        // Clipped to norm 1, each step moves w by exactly lr = 0.01 while |∇| > 1: from 3 to below 0.9 takes ~210 steps.
        var clipped = Trainer<double>.Fit(new Scalar(Tensor.FromArray([3.0])), new Sgd<double>(0.01), Loss, [new Batch()], [], new TrainerOptions { Epochs = 400, ClipNorm = 1 });
        Assert.True(clipped.GradientNorms[0] > 10_000, "the reported norm is the one before clipping");
        Assert.True(Math.Abs(clipped.Parameters.W.ToScalar()) < 0.9, $"clipped training converges, w = {clipped.Parameters.W.ToScalar()}");
    }

    [Fact]
    public void Anomaly_mode_names_the_first_op_to_produce_nan()
    {
        var e = Assert.Throws<AnomalyException>(() => Autodiff.With(new AutodiffOptions { DetectAnomaly = true }).Grad((Tensor<double> x) => Sum(Sqrt(x - 1.0) * 0.0 + Exp(x)), Tensor.FromArray([0.5, 2.0])));
        Assert.Equal("sqrt", e.Op);
        Assert.Equal("forward", e.Pass);
    }
}
