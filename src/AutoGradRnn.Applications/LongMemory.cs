using System.Globalization;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Applications;

/// <summary>The long-term-dependency tasks.</summary>
public enum MemoryTask
{
    /// <summary>A key symbol decides the answer asked for at the end, after a gap of distractors ("I grew up in France … I speak fluent French").</summary>
    Recall,
    /// <summary>Hochreiter &amp; Schmidhuber's adding problem: the sum of the two marked numbers in a long sequence.</summary>
    Adding,
}

/// <summary>Where the key goes in <see cref="MemoryTask.Recall"/>.</summary>
public enum KeyPlacement
{
    /// <summary>At step 0. With a zero initial state a saturated tanh unit can latch it, so this variant alone does not test memory.</summary>
    First,
    /// <summary>At a random step in [0, gap], with distractors before and after, so the network must notice it wherever it comes.</summary>
    Random,
}

/// <summary>Initialisations compared in the experiment.</summary>
public enum GateInit
{
    /// <summary>PyTorch's default (uniform weights and biases).</summary>
    Default,
    /// <summary>Forget-gate bias 1 (Jozefowicz et al. 2015).</summary>
    Forget1,
    /// <summary>Chrono initialisation (Tallec &amp; Ollivier 2018): b_f ~ log U(1, T−1), b_i = −b_f; for the GRU the update gate's bias keeps the old state likewise. The tanh RNN has no gate, so it keeps its default.</summary>
    Chrono,
}

/// <summary>Settings of the experiment.</summary>
public sealed record LongMemoryOptions
{
    /// <summary>The task.</summary>
    public MemoryTask Task { get; init; } = MemoryTask.Recall;
    /// <summary>Key placement for recall.</summary>
    public KeyPlacement Placement { get; init; } = KeyPlacement.Random;
    /// <summary>
    /// The lengths to test. For <see cref="MemoryTask.Recall"/>, the gap: distractor steps between the key and the
    /// question (the CLI's <c>--gaps</c>). For <see cref="MemoryTask.Adding"/>, the whole sequence length T (<c>--lengths</c>).
    /// <see cref="LongMemoryResult.SequenceLength"/> gives the steps actually unrolled in either case.
    /// </summary>
    public int[] Gaps { get; init; } = [5, 10, 20, 50, 100];
    /// <summary>Cells to compare.</summary>
    public CellKind[] Cells { get; init; } = [CellKind.Rnn, CellKind.Lstm, CellKind.GruResetAfter];
    /// <summary>Initialisations to compare.</summary>
    public GateInit[] Inits { get; init; } = [GateInit.Default];
    /// <summary>Seeds per configuration.</summary>
    public int Seeds { get; init; } = 3;
    /// <summary>Hidden units.</summary>
    public int Hidden { get; init; } = 32;
    /// <summary>Adam steps per run.</summary>
    public int Steps { get; init; } = 3000;
    /// <summary>Sequences per batch.</summary>
    public int Batch { get; init; } = 32;
    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-2;
    /// <summary>Gradient-norm clip (0: no clipping).</summary>
    public double Clip { get; init; } = 1;
    /// <summary>The first seed: a configuration's runs use seeds FirstSeed … FirstSeed + Seeds − 1.</summary>
    public int FirstSeed { get; init; }
    /// <summary>Recall: number of key symbols (chance accuracy is 1/keys).</summary>
    public int Keys { get; init; } = 4;
    /// <summary>Recall: number of distractor symbols.</summary>
    public int Distractors { get; init; } = 8;
    /// <summary>Fresh sequences in the evaluation.</summary>
    public int EvaluationSize { get; init; } = 512;
}

/// <summary>One run's result: accuracy for recall, mean squared error for adding; and the chance level to compare with.</summary>
public sealed record LongMemoryResult(string Cell, string Init, int Gap, int Seed, double Metric, double Chance, double FinalLoss)
{
    /// <summary>The steps each sequence of this run had (recall: the gap plus key and question, or more with a random key; adding: the gap itself, T).</summary>
    public int SequenceLength { get; init; }
}

/// <summary>
/// The essay's long-term-dependency experiment, done carefully enough to mean something: recall with the key first
/// or at a random place, and the adding problem (MSE against the 0.167 of always answering 1.0), for each cell, gap,
/// initialisation and seed.
/// </summary>
public static class LongMemory
{
    private sealed record Model<TState>(IRecurrentCell<TState, float> Cell, Linear<float> Head);

    private sealed record Batch(Tensor<float> X, int[] Labels, Tensor<float> Sums) : ITrainingBatch
    {
        public int Items => X.Shape[0];
    }

    /// <summary>
    /// Runs every configuration; <paramref name="report"/> hears about each finished run. With a
    /// <paramref name="control"/> the experiment is resumable: its resume file keeps the finished configurations
    /// (skipped, and reported again, on resuming) and the state of the one under way; it is removed at the end.
    /// </summary>
    public static IReadOnlyList<LongMemoryResult> Run(LongMemoryOptions o, IProgress<LongMemoryResult>? report = null, IProgress<TrainingProgress>? progress = null,
        TrainingControl? control = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Gaps.Length == 0 || o.Gaps.Any(g => g < 1)) throw new ArgumentOutOfRangeException(nameof(o), $"long-memory: gaps [{string.Join(",", o.Gaps)}] must be ≥ 1");
        if (o.Seeds < 1 || o.Hidden < 1 || o.Steps < 1 || o.Batch < 1 || o.Keys < 2 || o.Distractors < 1)
            throw new ArgumentOutOfRangeException(nameof(o), "long-memory: seeds, hidden, steps, batch and distractors must be ≥ 1, keys ≥ 2");
        if (!(o.LearningRate > 0) || !double.IsFinite(o.LearningRate)) throw new ArgumentOutOfRangeException(nameof(o), $"long-memory: learning rate {o.LearningRate} must be a finite number > 0");
        if (!(o.Clip >= 0) || !double.IsFinite(o.Clip)) throw new ArgumentOutOfRangeException(nameof(o), $"long-memory: clip {o.Clip} must be a finite number ≥ 0 (0: no clipping)");
        // Each run derives its streams from seed + 4000 at most: keep that inside an int.
        if (o.FirstSeed < 0 || o.FirstSeed > int.MaxValue - 5000 - o.Seeds) throw new ArgumentOutOfRangeException(nameof(o), $"long-memory: first seed {o.FirstSeed} must be in [0, {int.MaxValue - 5000 - o.Seeds}]");
        foreach (var gap in o.Gaps) CheckSizes(o, gap);
        control = Resumable.For(control, "long-memory", o);
        var results = new List<LongMemoryResult>();
        var finished = new List<LongMemoryResult>();
        bool resumeCurrent = false;
        if (control.Resume)
        {
            var meta = TrainerSnapshot.Open(control.ResumeFile, control.Identity);
            finished = [.. LongMemoryResults.Parse(control.ResumeFile, meta.TryGetValue(FinishedKey, out var f) ? f : "").Select(r => r with { SequenceLength = Length(o, r.Gap) })];
            resumeCurrent = TrainerSnapshot.HasTrainerState(meta);
        }
        var configurations = o.Gaps.SelectMany(gap => o.Cells.SelectMany(cell => o.Inits.SelectMany(init => Enumerable.Range(o.FirstSeed, o.Seeds).Select(seed => (gap, cell, init, seed))))).ToList();
        foreach (var (gap, cell, init, seed) in configurations)
        {
            LongMemoryResult r;
            if (results.Count < finished.Count) r = finished[results.Count];
            else
            {
                var extra = new KeyValuePair<string, string>[] { new(FinishedKey, LongMemoryResults.Format(finished)) };
                var current = control with
                {
                    Identity = [.. control.Identity, new("configuration", $"{CellKinds.Name(cell)}/{init} gap {gap} seed {seed}")],
                    Extra = extra, Resume = resumeCurrent,
                };
                resumeCurrent = false;
                r = CellKinds.Visit(cell, InitFor(init), new Experiment(o, cell, init, gap, seed, progress, current));
                finished.Add(r);
                // Between two configurations the file holds only the finished ones; the next starts afresh.
                if (control.Saves) TrainerSnapshot.SaveMarker(control.ResumeFile, control.Identity, [new(FinishedKey, LongMemoryResults.Format(finished))]);
            }
            results.Add(r);
            report?.Report(r);
        }
        Resumable.Finish(control);
        return results;
    }

    /// <summary>
    /// A run streams its training batches (one at a time) and keeps the evaluation set: both must fit, checked before
    /// allocating (a gap of two billion would otherwise overflow the sequence length), naming the flags.
    /// </summary>
    private static void CheckSizes(LongMemoryOptions o, int gap)
    {
        double length = o.Task == MemoryTask.Adding ? gap : o.Placement == KeyPlacement.First ? gap + 2.0 : 2.0 * gap + 2;
        int inputs = o.Task == MemoryTask.Adding ? 2 : o.Keys + o.Distractors + 1;
        var what = string.Create(CultureInfo.InvariantCulture, $"--gaps {gap}: sequences of {length:N0} steps");
        if (length > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(o), $"long-memory: {what} are too long to index; lower --gaps");
        MemoryBudget.Array("long-memory", $"{what} in a batch of {Math.Max(o.Batch, o.EvaluationSize)} have", Math.Max(o.Batch, o.EvaluationSize) * length * inputs, "--gaps or --batch");
        double data = 4.0 * inputs * length * ((double)o.Batch + o.EvaluationSize);
        double activations = 4.0 * 24 * o.Hidden * length * Math.Max(o.Batch, o.EvaluationSize);
        MemoryBudget.Require("long-memory", string.Create(CultureInfo.InvariantCulture, $"{what} × --batch {o.Batch}"), data + activations, "--gaps, --batch or --hidden");
    }

    private const string FinishedKey = "long_memory.finished";

    private static CellInit InitFor(GateInit init) => init == GateInit.Default ? CellInit.PyTorch : new CellInit { UnitForgetBias = true };

    /// <summary>Sequence length of a task at a gap.</summary>
    public static int Length(LongMemoryOptions o, int gap) => o.Task == MemoryTask.Adding ? gap : o.Placement == KeyPlacement.First ? gap + 2 : 2 * gap + 2;

    /// <summary>A batch of <paramref name="size"/> fresh sequences; with <paramref name="build"/> false only the random draws are made (null returned).</summary>
    private static Batch? Sample(LongMemoryOptions o, int gap, int size, Rng rng, bool build = true)
    {
        int t = Length(o, gap);
        if (o.Task == MemoryTask.Adding)
        {
            var x = new float[size * t * 2];
            var sums = new float[size];
            for (int b = 0; b < size; b++)
            {
                int first = rng.NextInt(Math.Max(1, t / 2)), second = t / 2 + rng.NextInt(t - t / 2);
                if (second == first) second = (first + 1) % t;
                for (int s = 0; s < t; s++) x[(b * t + s) * 2] = (float)rng.NextDouble();
                foreach (var m in new[] { first, second }) { x[(b * t + m) * 2 + 1] = 1; sums[b] += x[(b * t + m) * 2]; }
            }
            return build ? new Batch(Tensor.FromArray(x, size, t, 2), new int[size], Tensor.FromArray(sums, size, 1)) : null;
        }
        int vocab = o.Keys + o.Distractors + 1, query = vocab - 1;
        var ids = new int[size * t];
        var labels = new int[size];
        for (int b = 0; b < size; b++)
        {
            for (int s = 0; s < t; s++) ids[b * t + s] = o.Keys + rng.NextInt(o.Distractors);
            int position = o.Placement == KeyPlacement.First ? 0 : rng.NextInt(gap + 1);
            labels[b] = rng.NextInt(o.Keys);
            ids[b * t + position] = labels[b];
            ids[b * t + t - 1] = query;
        }
        return build ? new Batch(Tensor.OneHot<float>(ids, vocab).Reshape(size, t, vocab), labels, Tensor.Zeros<float>(size, 1)) : null;
    }

    /// <summary>
    /// The training batches, drawn one at a time from one generator in order, exactly as drawing them all up front
    /// would: only the batch in use is in memory (at gap 1000 the whole set would be gigabytes). Asking for batch k
    /// after batch j &lt; k draws and drops the ones between (that is how a resumed run catches up).
    /// </summary>
    private sealed class BatchStream(LongMemoryOptions o, int gap, int count, long seed) : IReadOnlyList<Batch>
    {
        private Rng rng = new(seed);
        private int next;

        public int Count => count;

        public Batch this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
                if (index < next) (rng, next) = (new Rng(seed), 0);   // going back: replay from the start
                for (; next < index; next++) Sample(o, gap, o.Batch, rng, build: false);
                next++;
                return Sample(o, gap, o.Batch, rng)!;
            }
        }

        public IEnumerator<Batch> GetEnumerator() { for (int i = 0; i < count; i++) yield return this[i]; }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class Experiment(LongMemoryOptions o, CellKind kind, GateInit init, int gap, int seed, IProgress<TrainingProgress>? progress, TrainingControl control)
        : ICellVisitor<LongMemoryResult>
    {
        public LongMemoryResult Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create)
        {
            int inputs = o.Task == MemoryTask.Adding ? 2 : o.Keys + o.Distractors + 1, outputs = o.Task == MemoryTask.Adding ? 1 : o.Keys;
            var cell = create(inputs, o.Hidden, 1000 + seed);
            if (init == GateInit.Chrono) cell = CellInit.Chrono(cell, Length(o, gap), new Rng(seed + 77));
            var model = new Model<TState>(cell, Linear<float>.Create(o.Hidden, outputs, 2000 + seed));
            var train = new BatchStream(o, gap, o.Steps, 3000 + seed);
            var result = Trainer<float>.Fit(model, new Adam<float>(o.LearningRate), Loss, train, [],
                new TrainerOptions { Epochs = 1, ClipNorm = o.Clip, Shuffle = false }, progress, control);
            var test = Sample(o, gap, o.EvaluationSize, new Rng(4000 + seed))!;
            var output = Output(result.Parameters, test);
            double metric = o.Task == MemoryTask.Adding
                ? MeanSquaredError(output, test.Sums).ToScalar()
                : Metrics.Accuracy(Metrics.ArgMax(output), test.Labels);
            double chance = o.Task == MemoryTask.Adding ? 1.0 / 6 : 1.0 / o.Keys;   // E[(s − 1)²] for s = U + U
            return new LongMemoryResult(CellKinds.Name(kind), init.ToString().ToLowerInvariant(), gap, seed, metric, chance, result.StepLosses[^1]) { SequenceLength = Length(o, gap) };
        }

        private Tensor<float> Output<TState>(Model<TState> m, Batch b) => m.Head.Apply(m.Cell.Output(Sequence.Unroll(m.Cell, b.X).Final));

        private Tensor<float> Loss<TState>(Model<TState> m, Batch b) =>
            o.Task == MemoryTask.Adding ? MeanSquaredError(Output(m, b), b.Sums) : CrossEntropy(Output(m, b), b.Labels);
    }
}
