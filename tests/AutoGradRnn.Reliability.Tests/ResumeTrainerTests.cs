using FsCheck;
using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// Interrupting the trainer at any step (Ctrl-C: a cancelled token) or killing it (the last periodic snapshot is all
/// that is left), then resuming, ends bit-identical to a run never interrupted: parameters, optimizer state, step
/// losses, gradient norms and epoch summaries. Shuffling, validation, early stopping and carried state included.
/// </summary>
public class ResumeTrainerTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private sealed record Xy(Tensor<float> X, Tensor<float> Y) : ITrainingBatch { public int Items => X.Shape[0]; }

    private sealed record Net(Linear<float> Hidden, Linear<float> Out);

    private static Tensor<float> FitLoss(Net n, Xy b) => MeanSquaredError(n.Out.Apply(Tanh(n.Hidden.Apply(b.X))), b.Y);

    private static List<Xy> Batches(int count, int seed) => Enumerable.Range(0, count).Select(i =>
    {
        var x = Tensor.RandomNormal<float>(new Shape(3, 4), seed * 100 + i);
        return new Xy(x, Sum(x, 1).Reshape(3, 1) * 0.5f);
    }).ToList();

    /// <summary>Runs to the end, or is stopped at step <paramref name="stopAt"/> (0: before the first; −1: never), snapshotting every <paramref name="every"/> steps.</summary>
    private static TrainingResult<TParams, float>? Run<TParams>(Func<IProgress<TrainingProgress>, TrainingControl, TrainingResult<TParams, float>> fit,
        TrainingControl control, long stopAt, Action<long>? afterStep = null)
    {
        using var cancel = new CancellationTokenSource();
        if (stopAt == 0) cancel.Cancel();
        var progress = new ProgressCallback<TrainingProgress>(p =>
        {
            afterStep?.Invoke(p.Step);
            if (p.Step == stopAt) cancel.Cancel();
        });
        try
        {
            return fit(progress, control with { Cancellation = cancel.Token });
        }
        catch (TrainingInterruptedException e)
        {
            Assert.Equal(stopAt, e.Step);
            Assert.Equal(control.ResumeFile, e.ResumeFile);
            return null;
        }
    }

    private static void AssertSame<TParams>(TrainingResult<TParams, float> expected, TrainingResult<TParams, float> actual)
    {
        static int[] Bits(object tree) => ParameterTree<float>.Leaves(tree).SelectMany(t => t.ToArray()).Select(BitConverter.SingleToInt32Bits).ToArray();
        static long[] Doubles(IEnumerable<double> xs) => xs.Select(BitConverter.DoubleToInt64Bits).ToArray();
        Assert.Equal(Doubles(expected.StepLosses), Doubles(actual.StepLosses));
        Assert.Equal(Doubles(expected.GradientNorms), Doubles(actual.GradientNorms));
        Assert.Equal(expected.Epochs.Select(e => (e.Epoch, BitConverter.DoubleToInt64Bits(e.TrainLoss), BitConverter.DoubleToInt64Bits(e.ValidationLoss))),
            actual.Epochs.Select(e => (e.Epoch, BitConverter.DoubleToInt64Bits(e.TrainLoss), BitConverter.DoubleToInt64Bits(e.ValidationLoss))));
        Assert.Equal(Bits(expected.Parameters!), Bits(actual.Parameters!));
        Assert.Equal(expected.OptimizerState.Step, actual.OptimizerState.Step);
        Assert.Equal(expected.OptimizerState.Slots.SelectMany(s => Bits(s.ToArray())), actual.OptimizerState.Slots.SelectMany(s => Bits(s.ToArray())));
        Assert.Equal(expected.StoppedEarly, actual.StoppedEarly);
        Assert.Equal(expected.BestEpoch, actual.BestEpoch);
    }

    /// <summary>Stop at <paramref name="stop"/> (Ctrl-C), or copy the file on disk after <paramref name="stop"/> steps and resume from the copy (kill -9).</summary>
    private void InterruptAndResume<TParams>(Func<IProgress<TrainingProgress>, TrainingControl, TrainingResult<TParams, float>> fit, int stop, int every, bool kill)
    {
        var expected = fit(new ProgressCallback<TrainingProgress>(_ => { }), new TrainingControl())!;
        var path = dir.File($"resume-{Guid.NewGuid():N}.safetensors");
        var control = new TrainingControl { ResumeFile = path, CheckpointEvery = every };
        stop %= expected.StepLosses.Count;   // a step the run reaches (early stopping may end it before MaxSteps)
        if (kill)
        {
            if (every == 0 || stop < every) return;   // nothing on disk to resume from
            var killed = path + ".killed";
            // Progress is reported before that step's snapshot: at step stop + 1, the file is as a kill after step stop left it.
            Run(fit, control, -1, step => { if (step == stop + 1) File.Copy(path, killed); });
            File.Move(killed, path, overwrite: true);
        }
        else Assert.Null(Run(fit, control, stop));
        int steps = 0;
        var resumed = Run(fit, control with { Resume = true }, -1, _ => steps++)!;
        AssertSame(expected, resumed);
        // Only the steps after the saved one are taken again: the run continued rather than started over.
        Assert.Equal(expected.StepLosses.Count - (kill ? stop / every * every : stop), steps);
    }

    [Property(MaxTest = 40, Replay = "(20261206,1)")]
    public void Fit_with_shuffle_validation_and_early_stopping_resumes_bit_identically(PositiveInt seed, NonNegativeInt stop, NonNegativeInt every, bool kill)
    {
        var train = Batches(5, seed.Get);
        var valid = Batches(2, seed.Get + 1);
        var net = new Net(Linear<float>.Create(4, 6, seed.Get), Linear<float>.Create(6, 1, seed.Get + 1));
        var options = new TrainerOptions { Epochs = 6, Patience = 2, ClipNorm = 1, Seed = seed.Get, MinDelta = 1e-3, MaxSteps = 3 + seed.Get % 30 };
        InterruptAndResume((p, c) => Trainer<float>.Fit(net, new Adam<float>(0.05), FitLoss, train, valid, options, p, c), stop.Get, every.Get % 7, kill);
    }

    private sealed record Lm(Embedding<float> Embed, Lstm<float> Cell, Linear<float> Head);

    [Property(MaxTest = 30, Replay = "(20261207,3)")]
    public void FitCarried_resumes_bit_identically_with_the_carried_state(PositiveInt seed, NonNegativeInt stop, NonNegativeInt every, bool kill)
    {
        var text = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 12));
        var vocabulary = CharVocabulary.FromText(text);
        var (_, train) = StreamBatching.Tokens(vocabulary.Encode(text), 3, 8);
        var (_, valid) = StreamBatching.Tokens(vocabulary.Encode(text[..80]), 3, 8);
        var lm = new Lm(Embedding<float>.Create(vocabulary.Size, 4, seed.Get), Lstm<float>.Create(4, 8, seed.Get + 1), Linear<float>.Create(8, vocabulary.Size, seed.Get + 2));
        (Tensor<float>, LstmState<float>) Loss(Lm m, LstmState<float> state, TokenBatch b)
        {
            var r = Sequence.Unroll(m.Cell, m.Embed.Apply(b.Inputs, b.Streams, b.Steps), state);
            return (CrossEntropy(m.Head.Apply(r.Outputs), b.Targets), r.Final);
        }
        var options = new TrainerOptions { Epochs = 3, ClipNorm = 5, Patience = 1, MaxSteps = 5 + seed.Get % 40 };
        InterruptAndResume((p, c) => Trainer<float>.FitCarried(lm, new Adam<float>(0.02), Loss, m => m.Cell.InitialState(3), train, valid, options, p, c),
            stop.Get, every.Get % 7, kill);
    }

    [Fact]
    public void A_run_interrupted_twice_still_ends_where_an_uninterrupted_one_does()
    {
        var train = Batches(4, 9);
        var net = new Net(Linear<float>.Create(4, 6, 9), Linear<float>.Create(6, 1, 10));
        var options = new TrainerOptions { Epochs = 5, Seed = 9 };
        TrainingResult<Net, float> Fit(IProgress<TrainingProgress> p, TrainingControl c) => Trainer<float>.Fit(net, new Sgd<float>(0.05, momentum: 0.9), FitLoss, train, [], options, p, c);
        var expected = Fit(new ProgressCallback<TrainingProgress>(_ => { }), new TrainingControl());
        var control = new TrainingControl { ResumeFile = dir.File("twice.safetensors") };
        Assert.Null(Run(Fit, control, 6));
        Assert.Null(Run(Fit, control with { Resume = true }, 13));
        AssertSame(expected, Run(Fit, control with { Resume = true }, -1)!);
    }
}
