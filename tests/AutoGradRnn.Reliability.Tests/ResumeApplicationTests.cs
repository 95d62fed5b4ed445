using System.Globalization;
using System.Text;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// Each application, in process: stopped at step k (a cancelled token, as Ctrl-C does in the CLI) and resumed, it
/// reports exactly what an uninterrupted run reports and saves the same model bytes; the resume file is gone after.
/// </summary>
public class ResumeApplicationTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static readonly IProgress<TrainingProgress> Quiet = new ProgressCallback<TrainingProgress>(_ => { });

    /// <summary>
    /// Runs <paramref name="run"/> until the <paramref name="stopAt"/>-th progress report (counted over all its trainings), then resumes it,
    /// checking that the resumed run takes only the <paramref name="totalSteps"/> − <paramref name="stopAt"/> steps left (rather than starting again).
    /// </summary>
    private T StopAndResume<T>(Func<IProgress<TrainingProgress>, TrainingControl, T> run, int stopAt, int totalSteps)
    {
        var control = new TrainingControl { ResumeFile = dir.File("resume.safetensors"), CheckpointEvery = 3 };
        using var cancel = new CancellationTokenSource();
        int reports = 0;
        var e = Assert.Throws<TrainingInterruptedException>(() => run(new ProgressCallback<TrainingProgress>(_ => { if (++reports == stopAt) cancel.Cancel(); }), control with { Cancellation = cancel.Token }));
        Assert.True(File.Exists(e.ResumeFile));
        int steps = 0;
        var resumed = run(new ProgressCallback<TrainingProgress>(_ => steps++), control with { Resume = true });
        Assert.Equal(totalSteps - stopAt, steps);
        Assert.False(File.Exists(control.ResumeFile), "the resume file is removed once the run is complete");
        return resumed;
    }

    private static void Same(IReadOnlyList<EpochSummary> a, IReadOnlyList<EpochSummary> b) =>
        Assert.Equal(a.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)), b.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(19)]
    public void Train_char_stopped_and_resumed_saves_the_same_model(int stopAt)
    {
        var text = string.Concat(Enumerable.Repeat("a stitch in time saves nine; more haste, less speed. ", 20));
        var options = new CharModelOptions { Hidden = 8, Layers = 2, SequenceLength = 8, Batch = 3, Steps = 24, Seed = 5 };
        var expected = CharLanguageModel.Train(text, options, dir.File("expected.safetensors"), Quiet);
        var actual = StopAndResume((p, c) => CharLanguageModel.Train(text, options, dir.File("resumed.safetensors"), p, c), stopAt, expected.Steps);
        Assert.Equal(expected.StepLosses, actual.StepLosses);
        Assert.Equal(expected.GradientNorms, actual.GradientNorms);
        Assert.Equal(expected.ValidationBitsPerCharacter, actual.ValidationBitsPerCharacter);
        // The learning curve (every ⌈24 / 10⌉ = 3 steps) comes back from the resume file: the points before the stop are not lost.
        Assert.Equal(Enumerable.Range(1, 8).Select(k => (long)(3 * k)), actual.Curve.Select(p => p.Step));
        Assert.Equal(expected.Curve, actual.Curve);
        Assert.Equal(File.ReadAllBytes(dir.File("expected.safetensors")), File.ReadAllBytes(dir.File("resumed.safetensors")));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(50)]   // in the second pass over the text (41 batches each): the masks follow the step, not the batch
    public void Train_char_with_dropout_stopped_and_resumed_draws_the_same_masks(int stopAt)
    {
        var text = string.Concat(Enumerable.Repeat("a stitch in time saves nine; more haste, less speed. ", 20));
        var options = new CharModelOptions { Hidden = 8, Layers = 2, SequenceLength = 8, Batch = 3, Steps = 60, Seed = 5, Dropout = 0.4 };
        var expected = CharLanguageModel.Train(text, options, dir.File("expected-dropout.safetensors"), Quiet);
        var without = CharLanguageModel.Train(text, options with { Dropout = 0 }, dir.File("without-dropout.safetensors"), Quiet);
        Assert.NotEqual(without.StepLosses, expected.StepLosses);
        var actual = StopAndResume((p, c) => CharLanguageModel.Train(text, options, dir.File("resumed-dropout.safetensors"), p, c), stopAt, expected.Steps);
        Assert.Equal(expected.StepLosses, actual.StepLosses);
        Assert.Equal(expected.ValidationBitsPerCharacter, actual.ValidationBitsPerCharacter);
        Assert.Equal(File.ReadAllBytes(dir.File("expected-dropout.safetensors")), File.ReadAllBytes(dir.File("resumed-dropout.safetensors")));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(60)]   // in the second epoch (47 steps each), whose order the shuffle drew
    public void Forecast_stopped_and_resumed_forecasts_the_same(int stopAt) => ForecastStoppedAndResumed(stopAt, 0);

    [Theory]
    [InlineData(60)]
    public void Forecast_with_dropout_stopped_and_resumed_forecasts_the_same(int stopAt) => ForecastStoppedAndResumed(stopAt, 0.2);

    private void ForecastStoppedAndResumed(int stopAt, double dropout)
    {
        var csv = new StringBuilder("time,load\n");
        var start = new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int i = 0; i < 24 * 20; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{start.AddHours(i):yyyy-MM-dd HH:mm},{100 + 10 * Math.Sin(2 * Math.PI * i / 24) + i % 7}\n");
        File.WriteAllText(dir.File("s.csv"), csv.ToString());
        var options = new ForecastOptions { Periods = [24], Horizon = 12, Hidden = 4, Epochs = 4, Batch = 8, Seed = 3, Dropout = dropout };
        var expected = Forecasting.Run(dir.File("s.csv"), options, Quiet);
        var actual = StopAndResume((p, c) => Forecasting.Run(dir.File("s.csv"), options, p, c), stopAt, expected.StepLosses.Count);
        Assert.Equal(expected.Forecast, actual.Forecast);
        Assert.Equal(expected.Scores, actual.Scores);
        Assert.Equal(expected.StepLosses, actual.StepLosses);
        Same(expected.Epochs, actual.Epochs);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void Classify_stopped_and_resumed_classifies_the_same(int stopAt) => ClassifyStoppedAndResumed(stopAt, 0);

    [Theory]
    [InlineData(6)]    // in the second epoch: its masks follow the step
    public void Classify_with_dropout_stopped_and_resumed_classifies_the_same(int stopAt) => ClassifyStoppedAndResumed(stopAt, 0.3);

    private void ClassifyStoppedAndResumed(int stopAt, double dropout)
    {
        var rows = new StringBuilder("name,lang\n");
        string[] a = ["anna", "maria", "lucia", "giulia", "sofia"], b = ["smith", "brown", "taylor", "wilson", "johnson"];
        for (int i = 0; i < 40; i++) rows.Append(CultureInfo.InvariantCulture, $"{a[i % 5]}{i % 3},it\n{b[i % 5]}{i % 4},en\n");
        File.WriteAllText(dir.File("n.csv"), rows.ToString());
        var options = new ClassifierOptions { Hidden = 4, Embedding = 4, Epochs = 3, Batch = 16, Seed = 2, Dropout = dropout };
        var expected = SequenceClassification.Run(dir.File("n.csv"), options, Quiet);
        var actual = StopAndResume((p, c) => SequenceClassification.Run(dir.File("n.csv"), options, p, c), stopAt, expected.StepLosses.Count);
        Assert.Equal(expected.Accuracy, actual.Accuracy);
        Assert.Equal(expected.Confusion, actual.Confusion);
        Assert.Equal(expected.StepLosses, actual.StepLosses);
        Same(expected.Epochs, actual.Epochs);
    }

    [Theory]
    [InlineData(3)]    // in the first configuration
    [InlineData(9)]    // at the first step of the second (cancelled after the first's last step)
    [InlineData(17)]   // mid-way through the second
    public void Long_memory_stopped_and_resumed_keeps_finished_configurations_and_gives_the_same_results(int stopAt)
    {
        var options = new LongMemoryOptions { Gaps = [3], Cells = [CellKind.Lstm, CellKind.GruResetAfter], Seeds = 1, Hidden = 4, Steps = 9, Batch = 4, EvaluationSize = 16 };
        var expected = LongMemory.Run(options, progress: Quiet);
        var actual = StopAndResume((p, c) => LongMemory.Run(options, progress: p, control: c), stopAt, 2 * options.Steps);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// The training batches are drawn as they are needed: by the first step, the run has allocated a few batches'
    /// worth, not the whole set (500 batches of 32 × 202 steps × 13 one-hot inputs, 168 MB). Counted on this thread,
    /// which draws the batches, so tests running in parallel do not disturb the count.
    /// </summary>
    [Fact]
    public void Long_memory_draws_its_training_batches_one_at_a_time()
    {
        var options = new LongMemoryOptions { Gaps = [100], Cells = [CellKind.GruResetAfter], Seeds = 1, Hidden = 4, Steps = 500, Batch = 32, EvaluationSize = 16 };
        long batchBytes = 32L * LongMemory.Length(options, 100) * 13 * sizeof(float), before = GC.GetAllocatedBytesForCurrentThread(), atFirstStep = 0;
        using var cancel = new CancellationTokenSource();
        Assert.Throws<TrainingInterruptedException>(() => LongMemory.Run(options, progress: new ProgressCallback<TrainingProgress>(p =>
        {
            if (p.Step == 1) atFirstStep = GC.GetAllocatedBytesForCurrentThread() - before;
            cancel.Cancel();
        }), control: new TrainingControl { Cancellation = cancel.Token }));
        Assert.True(atFirstStep < 20 * batchBytes, $"{atFirstStep:N0} bytes allocated by the first step; a batch is {batchBytes:N0}");
    }

    /// <summary>
    /// Streaming the batches must not change the experiment: these are the results of drawing them all up front (commit
    /// eb72592). Other data would change every value completely; the arithmetic may differ in the last bits (the fused
    /// kernels run the last partial vector of a row at the CPU's vector width since the architecture pass), so values
    /// agree to a relative 1e-5, not bit for bit. Same-bits reproducibility is <see cref="ReproducibilityTests"/>' job.
    /// </summary>
    [Fact]
    public void Long_memory_streams_the_same_data_as_drawing_every_batch_up_front()
    {
        double[] recall = [0.24609375, 1.4063010215759277, 0.236328125, 1.3424346446990967, 0.24609375, 1.395451307296753, 0.275390625, 1.3251001834869385, 0.255859375, 1.5107173919677734, 0.365234375, 1.3403820991516113, 0.353515625, 1.459237813949585, 0.38671875, 1.3301310539245605, 0.29296875, 1.337526798248291, 0.251953125, 1.3991475105285645, 0.310546875, 1.3150566816329956, 0.259765625, 1.3869794607162476, 0.228515625, 1.4257705211639404, 0.263671875, 1.3830732107162476, 0.2265625, 1.4248532056808472, 0.341796875, 1.3768889904022217];
        double[] adding = [0.2118319720029831, 0.1415686011314392, 0.1706693172454834, 0.25768378376960754, 0.43450742959976196, 0.3096429109573364, 0.16828010976314545, 0.13193023204803467, 0.14885812997817993, 0.12423139810562134, 0.1661454439163208, 0.12908035516738892, 0.14987683296203613, 0.11352561414241791, 0.16106170415878296, 0.12742362916469574, 0.15878652036190033, 0.1834222674369812, 0.1697235405445099, 0.06044229120016098, 0.2735774517059326, 0.3350377678871155, 0.174525648355484, 0.035625919699668884, 0.17007336020469666, 0.17894400656223297, 0.1775902956724167, 0.032309092581272125, 0.164057195186615, 0.1747724562883377, 0.16839349269866943, 0.027094636112451553];
        foreach (var (task, expected) in new[] { (MemoryTask.Recall, recall), (MemoryTask.Adding, adding) })
        {
            var options = new LongMemoryOptions { Task = task, Gaps = [3, 6], Cells = [CellKind.Lstm, CellKind.GruResetAfter], Inits = [GateInit.Default, GateInit.Chrono], Seeds = 2, Steps = 20, Hidden = 6, Batch = 8 };
            var results = LongMemory.Run(options);
            var actual = results.SelectMany(r => new[] { r.Metric, r.FinalLoss }).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Abs(expected[i]), $"{task} value {i}: {actual[i]:R}, expected {expected[i]:R}");
        }
    }
}
