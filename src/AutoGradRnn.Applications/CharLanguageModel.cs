using System.Diagnostics;
using System.Globalization;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Applications;

/// <summary>Settings of a character-level language model run (the defaults are the reference run's).</summary>
public sealed record CharModelOptions
{
    /// <summary>The recurrent cell.</summary>
    public CellKind Cell { get; init; } = CellKind.Lstm;
    /// <summary>Hidden units per layer.</summary>
    public int Hidden { get; init; } = 256;
    /// <summary>Stacked layers.</summary>
    public int Layers { get; init; } = 1;
    /// <summary>Truncated-BPTT chunk length T.</summary>
    public int SequenceLength { get; init; } = 64;
    /// <summary>Parallel streams B.</summary>
    public int Batch { get; init; } = 32;
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 1000;
    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>Gradient-norm clip.</summary>
    public double Clip { get; init; } = 5;
    /// <summary>The last fraction of the text held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>Seed of the weights.</summary>
    public long Seed { get; init; }
    /// <summary>
    /// Evaluate the validation bits per character every this many steps for the learning curve (0: every ⌈steps / 10⌉
    /// steps, ten evaluations a run). The last step is always evaluated. Each evaluation is one pass over the validation characters.
    /// </summary>
    public int EvalEvery { get; init; }

    /// <summary>The steps between two evaluations: <see cref="EvalEvery"/>, or ⌈steps / 10⌉ for 0.</summary>
    internal int EvalInterval => EvalEvery > 0 ? EvalEvery : (int)Math.Max(1, (Steps + 9L) / 10);

    /// <summary>
    /// Dropout probability between stacked layers, as PyTorch's <c>nn.LSTM(dropout=…)</c>: the outputs of every layer but the
    /// last are dropped in training (<see cref="Stacked{TState, T}.UnrollWithDropout"/>), never in validation or sampling;
    /// no effect with one layer. The masks of step k come from (<see cref="Seed"/>, k), so a resumed run draws the same ones.
    /// </summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Variational dropout probability (Gal &amp; Ghahramani 2016) on every layer's input and recurrent h in training, one mask
    /// per sequence (<see cref="VariationalDropout{TState, T}"/>); none in validation and sampling. The layers then run per step.
    /// </summary>
    public double VariationalDropout { get; init; }

    /// <summary>
    /// Zoneout probability (Krueger et al. 2017) on every layer's state in training (<see cref="Zoneout{TState, T}"/>); validation
    /// and sampling use its expectation, <c>s_t = p·s_{t−1} + (1 − p)·cell(s_{t−1}, x_t)</c>, so the checkpoint stores p.
    /// </summary>
    public double Zoneout { get; init; }

    /// <summary>The three regularisers as one setting.</summary>
    internal RecurrentRegularisation Regularisation => new() { Dropout = Dropout, Variational = VariationalDropout, Zoneout = Zoneout };

    /// <summary>
    /// Initialisation of the cells: <see cref="CellInit.PyTorch"/> (PyTorch's exact default), which beat forget-gate bias 1
    /// on every seed of the measured char-LM runs (docs/results.md, "Defaults"); <c>new CellInit()</c> adds that bias.
    /// </summary>
    public CellInit Init { get; init; } = CellInit.PyTorch;

    internal void Validate()
    {
        if (Hidden <= 0) throw new ArgumentOutOfRangeException(nameof(Hidden), $"hidden size {Hidden} must be positive");
        if (Layers <= 0) throw new ArgumentOutOfRangeException(nameof(Layers), $"layers {Layers} must be positive");
        if (SequenceLength <= 0) throw new ArgumentOutOfRangeException(nameof(SequenceLength), $"sequence length {SequenceLength} must be positive");
        if (Batch <= 0) throw new ArgumentOutOfRangeException(nameof(Batch), $"batch {Batch} must be positive");
        if (Steps <= 0) throw new ArgumentOutOfRangeException(nameof(Steps), $"steps {Steps} must be positive");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"learning rate {LearningRate} must be a finite number > 0");
        if (EvalEvery < 0) throw new ArgumentOutOfRangeException(nameof(EvalEvery), $"eval every {EvalEvery} must be ≥ 0 (0: ten evaluations a run)");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), $"dropout {Dropout} must be in [0, 1)");
        Regularisation.Check("train-char");
        if (!(ValidationFraction > 0 && ValidationFraction < 0.5)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), $"validation fraction {ValidationFraction} must be in (0, 0.5)");
    }
}

/// <summary>What a training run measured.</summary>
public sealed record CharTrainingReport(
    string Cell, int Hidden, int Layers, int Vocabulary, int Steps, IReadOnlyList<double> StepLosses, IReadOnlyList<double> GradientNorms,
    double ValidationBitsPerCharacter, int ValidationCharacters, int DroppedValidationCharacters, double CharactersPerSecond, double Seconds)
{
    /// <summary>
    /// The best n-gram count model (<see cref="NGramBaseline"/>, n = 1 … 5, add-k with k from <see cref="NGramBaseline.DefaultSmoothing"/>)
    /// counted on the training split and scored on exactly the validation characters the network was scored on, each
    /// conditioned on the text before it (the first ones on the training split's last characters). n and k are chosen on
    /// these same characters, as there is no third split: a slight advantage to the baseline, so a model that beats it does.
    /// </summary>
    public NGramResult? NGram { get; init; }

    /// <summary>
    /// The learning curve: the validation bits per character every <see cref="CharModelOptions.EvalEvery"/> steps and at
    /// the last step, each with the mean training bits per character of the steps since the previous point.
    /// </summary>
    public IReadOnlyList<CharCurvePoint> Curve { get; init; } = [];

    /// <summary>Whether the network's validation bits per character are below the n-gram baseline's.</summary>
    public bool BeatsNGram => NGram is { } n && ValidationBitsPerCharacter < n.BitsPerCharacter;
}

/// <summary>One point of a character model's learning curve.</summary>
/// <param name="Step">Optimizer steps taken.</param>
/// <param name="TrainBitsPerCharacter">Mean training loss / ln 2 over the steps since the previous point (after it, up to and including <paramref name="Step"/>).</param>
/// <param name="ValidationBitsPerCharacter">Validation loss / ln 2 with the parameters after <paramref name="Step"/> steps.</param>
public sealed record CharCurvePoint(long Step, double TrainBitsPerCharacter, double ValidationBitsPerCharacter);

/// <summary>
/// A character-level language model (one-hot characters → stacked recurrent cells → linear → softmax over the
/// vocabulary), trained with truncated BPTT over B parallel streams of the text, Adam and gradient clipping.
/// The vocabulary is built from the training split and stored in the checkpoint with the model's shape, so
/// <see cref="Sample"/> needs nothing but the checkpoint.
/// </summary>
public static class CharLanguageModel
{
    /// <summary>The model: the stacked cells read one-hot characters, the head maps each output to the vocabulary's logits.</summary>
    internal sealed record Model<TState>(Stacked<TState, float> Rnn, Linear<float> Head);

    /// <summary>
    /// Trains on <paramref name="text"/> and saves the model to <paramref name="checkpoint"/> (atomically). The last
    /// <see cref="CharModelOptions.ValidationFraction"/> of the text's characters (Unicode scalar values) is held out.
    /// With a <paramref name="control"/> the run is resumable (its identity is the options and a hash of the text); its
    /// resume file is removed once the model is saved. Each point of the learning curve is reported to
    /// <paramref name="evaluations"/> as it is measured; the curve is saved in the resume file, so a resumed run reports it whole.
    /// </summary>
    public static CharTrainingReport Train(string text, CharModelOptions options, string checkpoint, IProgress<TrainingProgress>? progress = null,
        TrainingControl? control = null, IProgress<CharCurvePoint>? evaluations = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(checkpoint);
        options.Validate();
        var data = CharCorpus.Split(text, options.ValidationFraction);
        CheckSizes(data.Train.Length, data.Validation.Length, data.Vocabulary.Size, options);
        control = Resumable.For(control, "char-lm", options, ("data", RunIdentity.HashText(text)));
        var report = CellKinds.Visit(options.Cell, options.Init, new Trainer(data, options, checkpoint, progress, control, evaluations));
        Resumable.Finish(control);
        return report;
    }

    /// <summary>The text must fill one batch and one validation stream, and the model must fit in memory: checked before allocating, naming the flags.</summary>
    private static void CheckSizes(int trainLength, int validLength, int vocabulary, CharModelOptions o)
    {
        long needed = (long)o.Batch * ((long)o.SequenceLength + 1);
        if (trainLength < needed)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"train-char: the text's training part has {trainLength:N0} characters, too few for --batch {o.Batch} streams of --seq {o.SequenceLength} characters plus one target (needs {needed:N0}); lower --seq or --batch, or give a longer text"));
        if (validLength < o.SequenceLength + 1L)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"train-char: the text's validation part (its last {o.ValidationFraction * 100:0.#}%) has {validLength:N0} known characters, too few for one stream of --seq {o.SequenceLength} characters plus one target (needs {o.SequenceLength + 1L:N0}); lower --seq or give a longer text"));
        MemoryBudget.RecurrentModel("train-char", vocabulary, o.Hidden, o.Layers, vocabulary, (double)o.Batch * o.SequenceLength, "--hidden, --layers, --batch or --seq");
    }

    private sealed class Trainer(CharCorpus data, CharModelOptions o, string checkpoint, IProgress<TrainingProgress>? progress,
        TrainingControl control, IProgress<CharCurvePoint>? evaluations)
        : ICellVisitor<CharTrainingReport>
    {
        private const string CurveKey = "char_lm.curve";
        private readonly CharVocabulary vocabulary = data.Vocabulary;

        private static string Format(IEnumerable<CharCurvePoint> curve) => string.Join(";", curve.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.Step}:{p.TrainBitsPerCharacter:R}:{p.ValidationBitsPerCharacter:R}")));

        private static List<CharCurvePoint> Parse(string text) => text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(':')).Select(f =>
            new CharCurvePoint(long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture))).ToList();

        public CharTrainingReport Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create)
        {
            int v = vocabulary.Size;
            var model = new Model<TState>(CellKinds.Stack(create, v, o.Hidden, o.Layers, o.Seed), Linear<float>.Create(o.Hidden, v, o.Seed + 7));
            var (_, batches) = StreamBatching.Tokens(data.Train, o.Batch, o.SequenceLength);
            var validIds = data.Validation;
            int validStreams = Math.Max(1, Math.Min(o.Batch, validIds.Length / (o.SequenceLength + 1)));
            var (validLayout, validBatches) = StreamBatching.Tokens(validIds, validStreams, o.SequenceLength);
            double Validate(Model<TState> p) => Trainer<float>.Evaluate(p, Loss, m => m.Rnn.InitialState(validStreams), validBatches);
            // The curve so far goes into every snapshot (the trainer saves after this step's callback), and comes back on resume.
            var curve = control.Resume && File.Exists(control.ResumeFile) && TrainerSnapshot.Open(control.ResumeFile, control.Identity).TryGetValue(CurveKey, out var saved)
                ? Parse(saved) : [];
            var extra = new KeyValuePair<string, string>[] { new(CurveKey, Format(curve)) };
            int every = o.EvalInterval;
            var evaluating = new Stopwatch();   // kept out of the training time and speed
            void AfterStep(Model<TState> p, IReadOnlyList<double> losses)
            {
                int step = losses.Count;
                if (step % every != 0 && step != o.Steps) return;
                evaluating.Start();
                int from = curve.Count > 0 ? (int)curve[^1].Step : 0;
                double train = 0;
                for (int i = from; i < step; i++) train += losses[i];
                var point = new CharCurvePoint(step, Metrics.BitsPerCharacter(train / (step - from)), Metrics.BitsPerCharacter(Validate(p)));
                curve.Add(point);
                extra[0] = new(CurveKey, Format(curve));
                evaluating.Stop();
                evaluations?.Report(point);
            }
            var watch = Stopwatch.StartNew();
            var result = Trainer<float>.FitCarriedStepped(model, new Adam<float>(o.LearningRate), TrainingLoss, Loss,
                m => m.Rnn.InitialState(o.Batch), batches, [],
                new TrainerOptions { Epochs = (int)(((long)o.Steps + batches.Count - 1) / batches.Count), MaxSteps = o.Steps, ClipNorm = o.Clip }, progress,
                control with { Extra = extra }, AfterStep);
            double seconds = (watch.Elapsed - evaluating.Elapsed).TotalSeconds;
            // The last step's evaluation is the final one (same parameters, same pass); evaluated again only if it is missing.
            double validBpc = curve.Count > 0 && curve[^1].Step == result.StepLosses.Count
                ? curve[^1].ValidationBitsPerCharacter : Metrics.BitsPerCharacter(Validate(result.Parameters));
            Checkpoint<float>.Save(checkpoint, result.Parameters, new Dictionary<string, string>
            {
                ["model"] = "char-lm", ["cell"] = CellKinds.Name(o.Cell), ["hidden"] = o.Hidden.ToString(CultureInfo.InvariantCulture),
                ["layers"] = o.Layers.ToString(CultureInfo.InvariantCulture), ["vocabulary"] = vocabulary.Characters,
                ["validation_bpc"] = validBpc.ToString("R", CultureInfo.InvariantCulture),
                ["zoneout"] = o.Zoneout.ToString("R", CultureInfo.InvariantCulture),
            });
            return new CharTrainingReport(CellKinds.Name(o.Cell), o.Hidden, o.Layers, v, result.StepLosses.Count, result.StepLosses, result.GradientNorms,
                validBpc, validBatches.Count * validStreams * o.SequenceLength, data.DroppedValidation,
                (double)result.StepLosses.Count * o.Batch * o.SequenceLength / seconds, seconds) { NGram = Baseline(validLayout), Curve = curve };
        }

        /// <summary>
        /// The n-gram baseline on the characters the network is scored on: stream b's targets are validation positions
        /// b·L + 1 … b·L + batches·T. Their contexts come from the text: the training split's last characters, then validation.
        /// </summary>
        private NGramResult Baseline(StreamLayout layout)
        {
            var counts = NGramBaseline.Count(data.Train, vocabulary.Size);
            int tail = Math.Min(NGramBaseline.DefaultMaxOrder - 1, data.Train.Length);
            var text = new int[tail + data.Validation.Length];
            data.Train.AsSpan(data.Train.Length - tail).CopyTo(text);
            data.Validation.CopyTo(text, tail);
            var spans = Enumerable.Range(0, layout.Streams).Select(b => (tail + b * layout.StreamLength + 1, layout.Batches * layout.Steps)).ToList();
            return counts.Choose(text, spans);
        }

        /// <summary>The loss of training step k: with regularisation, its masks drawn from (seed, k).</summary>
        private (Tensor<float>, TState[]) TrainingLoss<TState>(Model<TState> m, TState[] state, TokenBatch b, long step) =>
            Loss(m, state, b, o.Regularisation.IsNone ? null : DropoutMasks.Stream(o.Seed, step, 0));

        private (Tensor<float>, TState[]) Loss<TState>(Model<TState> m, TState[] state, TokenBatch b) => Loss(m, state, b, null);

        /// <summary>The loss of a batch: with <paramref name="training"/> the masks come from it, without it the evaluation form (zoneout's expectation).</summary>
        private (Tensor<float>, TState[]) Loss<TState>(Model<TState> m, TState[] state, TokenBatch b, Rng? training)
        {
            var x = Tensor.OneHot<float>(b.Inputs, vocabulary.Size).Reshape(b.Streams, b.Steps, vocabulary.Size);
            var r = o.Regularisation.UnrollStack(m.Rnn, x, state, training);
            return (CrossEntropy(m.Head.Apply(r.Outputs), b.Targets), r.Final);
        }
    }

    /// <summary>
    /// Generates <paramref name="length"/> characters after <paramref name="prime"/> by sampling from softmax(logits / temperature).
    /// The prime's characters must be in the model's vocabulary (an unknown one is an error naming it); an empty prime
    /// starts from a seeded random character.
    /// </summary>
    public static string Sample(string checkpoint, int length, double temperature, string prime, long seed)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(prime);
        CheckSampling(length, temperature);
        var spec = CharModelCheckpoint.Read(checkpoint);   // sizes checked against the file's tensors before the template is built
        var ids = spec.Vocabulary.Encode(prime);
        return CellKinds.Visit(spec.Cell, new CellInit(), new Sampler(checkpoint, spec, ids, length, temperature, seed));
    }

    /// <summary>The length and temperature of a sample, checked (one-line errors naming the value).</summary>
    internal static void CheckSampling(int length, double temperature)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), $"sample: length {length} must be ≥ 0");
        if (!(temperature > 0) || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), $"sample: temperature {temperature} must be a finite number > 0");
    }

    /// <summary>A trained model's parameters as the checkpoint holds them (the cells themselves, without zoneout's expectation).</summary>
    internal static Model<TState> LoadTrained<TState>(string checkpoint, CharModelCheckpoint spec, Func<int, int, long, IRecurrentCell<TState, float>> create)
    {
        var template = new Model<TState>(CellKinds.Stack(create, spec.Vocabulary.Size, spec.Hidden, spec.Layers, 0), Linear<float>.Create(spec.Hidden, spec.Vocabulary.Size, 0));
        return Checkpoint<float>.Load(checkpoint, template);
    }

    /// <summary>A trained model as evaluation runs it: under zoneout each layer steps with its expectation.</summary>
    private static Model<TState> LoadForEvaluation<TState>(string checkpoint, CharModelCheckpoint spec, Func<int, int, long, IRecurrentCell<TState, float>> create) =>
        ForEvaluation(LoadTrained(checkpoint, spec, create), spec);

    /// <summary>The model as evaluation and sampling run it: under zoneout each layer steps with its expectation.</summary>
    internal static Model<TState> ForEvaluation<TState>(Model<TState> m, CharModelCheckpoint spec)
    {
        var regularisation = new RecurrentRegularisation { Zoneout = spec.Zoneout };
        return m with { Rnn = new Stacked<TState, float>([.. m.Rnn.Layers.Select(regularisation.EvaluationCell)]) };
    }

    private sealed class Sampler(string checkpoint, CharModelCheckpoint spec, int[] prime, int length, double temperature, long seed)
        : ICellVisitor<string>
    {
        private readonly CharVocabulary vocabulary = spec.Vocabulary;

        public string Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create)
        {
            var m = LoadForEvaluation(checkpoint, spec, create);
            var state = m.Rnn.InitialState(1);
            float[] Step(int id)
            {
                state = m.Rnn.Step(state, Tensor.OneHot<float>([id], vocabulary.Size));
                return m.Head.Apply(m.Rnn.Output(state)).AsSpan().ToArray();
            }
            return vocabulary.Decode(Generate(prime, vocabulary.Size, length, temperature, seed, Step));
        }
    }

    /// <summary>
    /// The sampling loop, the one both samplers run (the library's and ONNX Runtime's, <c>sample --onnx</c>): a generator
    /// seeded with <paramref name="seed"/>; <paramref name="step"/> feeds the prime's ids (or, for an empty prime, one id drawn
    /// uniformly from the vocabulary) one at a time, then each of <paramref name="length"/> ids is drawn from
    /// softmax(logits / temperature) of the last step's logits (<see cref="TemperatureSoftmax"/>, <see cref="SampleIndex"/>)
    /// and fed back. <paramref name="step"/> takes one id and returns the logits after it, carrying the state itself.
    /// </summary>
    internal static int[] Generate(int[] prime, int vocabularySize, int length, double temperature, long seed, Func<int, float[]> step)
    {
        var rng = new Rng(seed);
        var input = prime.Length > 0 ? prime : [rng.NextInt(vocabularySize)];
        var logits = input.Select(step).Last();
        var output = new List<int>();
        for (int i = 0; i < length; i++)
        {
            output.Add(SampleIndex(TemperatureSoftmax(logits, temperature), rng));
            logits = step(output[^1]);
        }
        return [.. output];
    }

    /// <summary>
    /// Runs a trained model over <paramref name="text"/> and returns, for every state leaf of every layer (e.g.
    /// <c>[0].H</c> and <c>[0].C</c> for an LSTM), its value after each character: <c>[characters, hidden]</c>, one row per Unicode scalar value (so an
    /// emoji is one row, not two). This is what Karpathy, Johnson &amp; Fei-Fei (2015) colour text by. Characters outside
    /// the vocabulary are an error naming the character, its position and its line and column.
    /// </summary>
    public static IReadOnlyList<NamedTensor<float>> Activations(string checkpoint, string text)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(text);
        var spec = CharModelCheckpoint.Read(checkpoint);
        var ids = spec.Vocabulary.Encode(text);
        return CellKinds.Visit(spec.Cell, new CellInit(), new Recorder(checkpoint, spec, ids));
    }

    private sealed class Recorder(string checkpoint, CharModelCheckpoint spec, int[] ids) : ICellVisitor<IReadOnlyList<NamedTensor<float>>>
    {
        public IReadOnlyList<NamedTensor<float>> Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create)
        {
            var vocabulary = spec.Vocabulary;
            var m = LoadForEvaluation(checkpoint, spec, create);
            var state = m.Rnn.InitialState(1);
            var steps = new List<IReadOnlyList<NamedTensor<float>>>();
            foreach (var id in ids)
            {
                state = m.Rnn.Step(state, Tensor.OneHot<float>([id], vocabulary.Size));
                steps.Add(ParameterTree<float>.Flatten(state));
            }
            if (steps.Count == 0) return [];
            return steps[0].Select((leaf, k) => new NamedTensor<float>(leaf.Name, Stack(steps.Select(s => s[k].Value.Reshape(-1)).ToArray()))).ToList();
        }
    }

    /// <summary>
    /// softmax(logits / temperature) in double with the maximum subtracted first: a tiny temperature (1e-50 is 0 in float32)
    /// gives the argmax, one-hot, instead of NaNs, and a huge one gives the uniform distribution.
    /// </summary>
    internal static double[] TemperatureSoftmax(ReadOnlySpan<float> logits, double temperature)
    {
        double max = double.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++) sum += p[i] = logits[i] == max ? 1 : Math.Exp((logits[i] - max) / temperature);
        for (int i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }

    internal static int SampleIndex(ReadOnlySpan<double> probabilities, Rng rng)
    {
        double u = rng.NextDouble(), cumulative = 0;
        for (int i = 0; i < probabilities.Length; i++) if ((cumulative += probabilities[i]) > u) return i;
        return probabilities.Length - 1;   // rounding left u above the total
    }
}
