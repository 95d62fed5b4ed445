using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// The trainer's loop at each of its boundaries: what counts as a validation improvement, when patience runs out,
/// which parameters come back, the order batches are visited in, how state is carried, where snapshots fall, and how
/// losses are weighted. Validation losses are scripted so each boundary is hit exactly (Stryker survivors: `&lt;` vs `&lt;=`,
/// `&gt;=` vs `&gt;`, the `carried` flag of each entry point, the last-step snapshot).
/// </summary>
public class TrainerLoopTests
{
    private sealed record Scalar(Tensor<double> W);

    private sealed record Step(int Index, int Size = 1) : ITrainingBatch { public int Items => Size; }

    private static readonly Scalar Start = new(Tensor.FromArray([0.0]));

    /// <summary>Pulls w towards 1: with SGD at 0.1 from w = 0, w after k steps is 1 − 0.8^k.</summary>
    private static Tensor<double> PullToOne(Scalar p, Step _) => Square(p.W - 1.0).Sum();

    private static double AfterSteps(int k) => 1 - Math.Pow(0.8, k);

    /// <summary>A validation loss that returns the next of <paramref name="losses"/> at each epoch's (single-batch) validation.</summary>
    private static Func<Scalar, Step, Tensor<double>> Scripted(params double[] losses)
    {
        int calls = 0;
        return (p, _) => Tensor.FromArray([losses[calls++]]);
    }

    /// <summary>One training batch per epoch, one validation batch scripted as <paramref name="validation"/>.</summary>
    private static TrainingResult<Scalar, double> Run(TrainerOptions options, params double[] validation) =>
        Trainer<double>.FitStepped(Start, new Sgd<double>(0.1), (p, b, _) => PullToOne(p, b), Scripted(validation),
            [new Step(0)], [new Step(0)], options);

    [Fact]
    public void An_improvement_of_exactly_MinDelta_does_not_count_and_a_larger_one_does()
    {
        var exactly = Run(new TrainerOptions { Epochs = 2, MinDelta = 0.25 }, 1.0, 0.75);
        Assert.Equal(0, exactly.BestEpoch);
        var more = Run(new TrainerOptions { Epochs = 2, MinDelta = 0.25 }, 1.0, 0.7499);
        Assert.Equal(1, more.BestEpoch);
        // With MinDelta 0 any decrease counts, an equal loss does not.
        Assert.Equal(0, Run(new TrainerOptions { Epochs = 2 }, 1.0, 1.0).BestEpoch);
        Assert.Equal(1, Run(new TrainerOptions { Epochs = 2 }, 1.0, 0.999).BestEpoch);
    }

    [Fact]
    public void Patience_stops_after_exactly_that_many_epochs_without_improvement()
    {
        var stopped = Run(new TrainerOptions { Epochs = 6, Patience = 2 }, 1, 2, 3, 4, 5, 6);
        Assert.True(stopped.StoppedEarly);
        Assert.Equal(3, stopped.Epochs.Count);   // epoch 0 improves, epochs 1 and 2 do not: stop
        Assert.Equal(0, stopped.BestEpoch);

        // An improvement resets the wait.
        var reset = Run(new TrainerOptions { Epochs = 6, Patience = 2 }, 1, 2, 0.5, 3, 4, 5);
        Assert.True(reset.StoppedEarly);
        Assert.Equal(5, reset.Epochs.Count);
        Assert.Equal(2, reset.BestEpoch);

        // Patience 0 never stops early, and a run that ends on its last epoch did not stop early.
        var never = Run(new TrainerOptions { Epochs = 6 }, 1, 2, 3, 4, 5, 6);
        Assert.False(never.StoppedEarly);
        Assert.Equal(6, never.Epochs.Count);
        Assert.False(Run(new TrainerOptions { Epochs = 3, Patience = 3 }, 1, 2, 3).StoppedEarly);
    }

    [Fact]
    public void RestoreBest_returns_the_best_epochs_parameters_even_when_that_is_epoch_0()
    {
        var best = Run(new TrainerOptions { Epochs = 3 }, 1, 2, 3);
        Assert.Equal(0, best.BestEpoch);
        Assert.Equal(AfterSteps(1), best.Parameters.W.ToScalar(), 1e-15);
        Assert.Equal([1.0, 2.0, 3.0], best.Epochs.Select(e => e.ValidationLoss));

        var last = Run(new TrainerOptions { Epochs = 3, RestoreBest = false }, 1, 2, 3);
        Assert.Equal(AfterSteps(3), last.Parameters.W.ToScalar(), 1e-15);

        // A validation loss that is never a number never improves: there is no best epoch, the last parameters come back.
        var none = Run(new TrainerOptions { Epochs = 3 }, double.NaN, double.NaN, double.NaN);
        Assert.Equal(-1, none.BestEpoch);
        Assert.Equal(AfterSteps(3), none.Parameters.W.ToScalar(), 1e-15);

        // Without validation data there is no best epoch either.
        var unvalidated = Trainer<double>.Fit(Start, new Sgd<double>(0.1), PullToOne, [new Step(0)], [], new TrainerOptions { Epochs = 3 });
        Assert.Equal(-1, unvalidated.BestEpoch);
        Assert.Equal(AfterSteps(3), unvalidated.Parameters.W.ToScalar(), 1e-15);
        Assert.All(unvalidated.Epochs, e => Assert.True(double.IsNaN(e.ValidationLoss)));
    }

    private static Step[] Steps(int count) => Enumerable.Range(0, count).Select(i => new Step(i)).ToArray();

    private static List<int[]> ByEpoch(List<int> seen, int batches) => seen.Chunk(batches).ToList();

    [Fact]
    public void Independent_batches_are_shuffled_each_epoch_and_carried_ones_never()
    {
        var identity = Enumerable.Range(0, 8).ToArray();
        var options = new TrainerOptions { Epochs = 3, Seed = 3 };

        var fit = new List<int>();
        Trainer<double>.Fit(Start, new Sgd<double>(0.1), (p, b) => { fit.Add(b.Index); return PullToOne(p, b); }, Steps(8), [], options);
        var stepped = new List<int>();
        var ks = new List<long>();
        Trainer<double>.FitStepped(Start, new Sgd<double>(0.1), (p, b, k) => { stepped.Add(b.Index); ks.Add(k); return PullToOne(p, b); }, PullToOne, Steps(8), [], options);
        foreach (var seen in new[] { fit, stepped })
        {
            var epochs = ByEpoch(seen, 8);
            Assert.Equal(3, epochs.Count);
            Assert.All(epochs, e => Assert.Equal(identity, e.Order()));            // each epoch visits every batch once
            Assert.Contains(epochs, e => !e.SequenceEqual(identity));              // in a shuffled order
            Assert.NotEqual(epochs[0], epochs[1]);                                 // drawn anew each epoch
        }
        Assert.Equal(fit, stepped);                                                // the same seed, the same order
        Assert.Equal(Enumerable.Range(0, 24).Select(k => (long)k), ks);           // the step index counts across epochs

        var unshuffled = new List<int>();
        Trainer<double>.Fit(Start, new Sgd<double>(0.1), (p, b) => { unshuffled.Add(b.Index); return PullToOne(p, b); }, Steps(8), [], options with { Shuffle = false });
        Assert.All(ByEpoch(unshuffled, 8), e => Assert.Equal(identity, e));

        var carried = new List<int>();
        Trainer<double>.FitCarried(Start, new Sgd<double>(0.1), (p, c, b) => { carried.Add(b.Index); return (PullToOne(p, b), c); }, _ => 0, Steps(8), [], options);
        Assert.All(ByEpoch(carried, 8), e => Assert.Equal(identity, e));
        var carriedStepped = new List<int>();
        Trainer<double>.FitCarriedStepped(Start, new Sgd<double>(0.1), (p, c, b, _) => { carriedStepped.Add(b.Index); return (PullToOne(p, b), c); },
            (p, c, b) => (PullToOne(p, b), c), _ => 0, Steps(8), [], options);
        Assert.All(ByEpoch(carriedStepped, 8), e => Assert.Equal(identity, e));
    }

    [Fact]
    public void Carried_state_flows_from_batch_to_batch_and_restarts_each_epoch_and_each_validation()
    {
        // The carry counts the batches since the last restart; each batch records the count it received.
        var trainSeen = new List<double>();
        var validSeen = new List<double>();
        Trainer<double>.FitCarried(Start, new Sgd<double>(0.1), (p, c, b) =>
        {
            // Validation batches are marked by Size 2.
            (b.Size == 2 ? validSeen : trainSeen).Add(c.ToScalar());
            return (PullToOne(p, b), c + 1.0);
        }, _ => Tensor.FromArray([0.0]), Steps(3), [new Step(0, 2), new Step(1, 2)], new TrainerOptions { Epochs = 2 });
        Assert.Equal([0.0, 1, 2, 0, 1, 2], trainSeen);
        Assert.Equal([0.0, 1, 0, 1], validSeen);
    }

    [Fact]
    public void Losses_are_weighted_by_items_in_epoch_summaries_and_in_Evaluate()
    {
        // A loss that does not depend on the batch's order: 1 for the 1-item batch, 2 for the 3-item one.
        static Tensor<double> Fixed(Scalar p, Step b) => (p.W * 0.0).Sum() + (b.Index + 1.0);
        var result = Trainer<double>.Fit(Start, new Sgd<double>(0.1), Fixed, [new Step(0, 1), new Step(1, 3)], [new Step(0, 1), new Step(1, 3)],
            new TrainerOptions { Epochs = 1 });
        Assert.Equal((1 * 1 + 2 * 3) / 4.0, result.Epochs[0].TrainLoss, 1e-15);
        Assert.Equal((1 * 1 + 2 * 3) / 4.0, result.Epochs[0].ValidationLoss, 1e-15);
        Assert.Equal(1.75, Trainer<double>.Evaluate(Start, (Scalar p, int c, Step b) => (Fixed(p, b), c), _ => 0, [new Step(0, 1), new Step(1, 3)]), 1e-15);
    }

    [Fact]
    public void Throughput_is_the_items_so_far_over_the_time_so_far()
    {
        var reports = new List<TrainingProgress>();
        Trainer<double>.Fit(Start, new Sgd<double>(0.1), PullToOne, [new Step(0, 5), new Step(1, 7)], [], new TrainerOptions { Epochs = 3, Shuffle = false },
            new ProgressCallback<TrainingProgress>(reports.Add));
        long items = 0;
        foreach (var (r, i) in reports.Select((r, i) => (r, i)))
        {
            items += i % 2 == 0 ? 5 : 7;
            // Elapsed is read just after the rate, so the product is the items within the time between the two reads.
            double implied = r.ItemsPerSecond * r.Elapsed.TotalSeconds;
            Assert.True(implied > items * 0.5 && implied < items * 2, $"step {r.Step}: {r.ItemsPerSecond} items/s over {r.Elapsed} implies {implied} items, not {items}");
        }
    }

    [Fact]
    public void Snapshots_fall_every_CheckpointEvery_steps_and_never_after_the_last_step()
    {
        using var dir = new TempDir();
        // Resuming a finished run from its resume file retakes the steps after the last snapshot: that tells where it fell.
        int Retaken(long every, int batches, int epochs = 1)
        {
            var control = new TrainingControl { ResumeFile = dir.File($"r{every}-{batches}-{epochs}.safetensors"), CheckpointEvery = every };
            var options = new TrainerOptions { Epochs = epochs, Shuffle = false };
            Trainer<double>.Fit(Start, new Sgd<double>(0.1), PullToOne, Steps(batches), [], options, null, control);
            if (!File.Exists(control.ResumeFile)) return -1;
            int retaken = 0;
            var resumed = Trainer<double>.Fit(Start, new Sgd<double>(0.1), PullToOne, Steps(batches), [], options,
                new ProgressCallback<TrainingProgress>(_ => retaken++), control with { Resume = true });
            Assert.Equal(AfterSteps(batches * epochs), resumed.Parameters.W.ToScalar(), 1e-15);
            return retaken;
        }
        Assert.Equal(2, Retaken(every: 2, batches: 4));    // saved after step 2; not after step 4, the last
        Assert.Equal(1, Retaken(every: 3, batches: 4));    // saved after step 3
        Assert.Equal(2, Retaken(every: 2, batches: 3, epochs: 2));   // steps 2 and 4 of 6, across the epoch boundary
        Assert.Equal(-1, Retaken(every: 4, batches: 4));   // the only multiple is the last step: no file
        Assert.Equal(-1, Retaken(every: 0, batches: 4));   // 0: only when cancelled
    }
}
