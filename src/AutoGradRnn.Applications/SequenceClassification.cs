using System.Diagnostics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Applications;

/// <summary>Settings of a character-level sequence classifier.</summary>
public sealed record ClassifierOptions
{
    /// <summary>The text column ("" = chosen from the data: the column with the longest texts among those that are not the label).</summary>
    public string TextColumn { get; init; } = "";
    /// <summary>The label column ("" = chosen from the data: the column with the fewest distinct values, at least two).</summary>
    public string LabelColumn { get; init; } = "";
    /// <summary>The recurrent cell.</summary>
    public CellKind Cell { get; init; } = CellKind.Lstm;
    /// <summary>Hidden units.</summary>
    public int Hidden { get; init; } = 64;
    /// <summary>Character embedding size.</summary>
    public int Embedding { get; init; } = 16;
    /// <summary>Training epochs.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Sequences per batch (padded, with a mask).</summary>
    public int Batch { get; init; } = 64;
    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 5e-3;
    /// <summary>Fraction held out for testing (as much again for validation).</summary>
    public double TestFraction { get; init; } = 0.1;
    /// <summary>Seed of the split, the weights and the shuffling.</summary>
    public long Seed { get; init; }
    /// <summary>
    /// The longest text accepted, in characters. Each batch is padded to its longest text, so one very long cell would
    /// make its whole batch that long (a 5-million-character cell: 2.5 GB); a longer text is an error naming its row.
    /// </summary>
    public int MaxLength { get; init; } = 10_000;
    /// <summary>
    /// Dropout probability in training on the embedded characters and on the final h before the head (one
    /// <see cref="Ops.Dropout{T}(Tensor{T}, Tensor{T})"/> each; none in validation and testing). The masks of step k come from
    /// (<see cref="Seed"/>, k), so a resumed run draws the same ones.
    /// </summary>
    public double Dropout { get; init; }
    /// <summary>Initialisation of the cell (default: PyTorch's uniform weights with forget-gate bias 1; <see cref="CellInit.PyTorch"/> to match PyTorch exactly).</summary>
    public CellInit Init { get; init; } = new();
    /// <summary>
    /// Variational dropout probability (Gal &amp; Ghahramani 2016) on the cell's input and recurrent h in training, one mask per
    /// sequence (<see cref="VariationalDropout{TState, T}"/>); none in validation and testing. The cell then runs per step.
    /// </summary>
    public double VariationalDropout { get; init; }
    /// <summary>
    /// Zoneout probability (Krueger et al. 2017) on the cell's state in training (<see cref="Zoneout{TState, T}"/>); validation and
    /// testing use its expectation, <c>s_t = p·s_{t−1} + (1 − p)·cell(s_{t−1}, x_t)</c>.
    /// </summary>
    public double Zoneout { get; init; }

    /// <summary>Variational dropout and zoneout on the cell (<see cref="Dropout"/> acts elsewhere).</summary>
    internal RecurrentRegularisation Regularisation => new() { Variational = VariationalDropout, Zoneout = Zoneout };

    /// <summary>Whether training draws any masks.</summary>
    internal bool Regularised => Dropout > 0 || VariationalDropout > 0 || Zoneout > 0;

    internal void Validate()
    {
        if (Hidden < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), $"classify: hidden size {Hidden} must be ≥ 1");
        if (Embedding < 1) throw new ArgumentOutOfRangeException(nameof(Embedding), $"classify: embedding size {Embedding} must be ≥ 1");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"classify: epochs {Epochs} must be ≥ 1");
        if (Batch < 1) throw new ArgumentOutOfRangeException(nameof(Batch), $"classify: batch {Batch} must be ≥ 1");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), $"classify: dropout {Dropout} must be in [0, 1)");
        Regularisation.Check("classify");
        if (MaxLength < 1) throw new ArgumentOutOfRangeException(nameof(MaxLength), $"classify: max length {MaxLength} must be ≥ 1");
        if (!(TestFraction > 0 && TestFraction < 0.5)) throw new ArgumentOutOfRangeException(nameof(TestFraction), $"classify: test fraction {TestFraction} must be in (0, 0.5)");
    }
}

/// <summary>A classifier's test results: accuracy against the majority-class baseline, and the confusion matrix (rows = true label, columns = predicted).</summary>
public sealed record ClassificationReport(string[] Labels, int TrainSize, int TestSize, double Accuracy, double MajorityAccuracy, string MajorityLabel,
    int[][] Confusion, IReadOnlyList<double> StepLosses, IReadOnlyList<EpochSummary> Epochs, double Seconds)
{
    /// <summary>The columns used and how they were picked.</summary>
    public ClassifierColumns Columns { get; init; } = new("", "", "");
    /// <summary>The trained classifier (the kept epoch's weights and the vocabulary); export it with <see cref="ClassifierOnnx.Export"/>. Null only in a report built by hand; not written to results.json.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Classifier? Model { get; init; }
}

/// <summary>The text and label columns a classifier used, and why (named by the user, or chosen from the data with the evidence).</summary>
public sealed record ClassifierColumns(string Text, string Label, string Why);

/// <summary>
/// Character-level sequence classification of a CSV's text column into its label column (e.g. surname → language):
/// embedded characters → recurrent cell over variable-length sequences (padded, masked) → last real state → softmax.
/// </summary>
public static class SequenceClassification
{
    private sealed record Model<TState>(Embedding<float> Embed, IRecurrentCell<TState, float> Cell, Linear<float> Head);

    private sealed record Batch(int[] Ids, Tensor<float> Mask, int[] Labels, int Size, int Length) : ITrainingBatch
    {
        public int Items => Size;
    }

    /// <summary>
    /// Loads, splits (seeded, never testing on training rows), trains and tests. With a <paramref name="control"/> the
    /// training is resumable (its identity is the options and a hash of the file); its resume file is removed once the run is done.
    /// </summary>
    public static ClassificationReport Run(string csvPath, ClassifierOptions o, IProgress<TrainingProgress>? progress = null, TrainingControl? control = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        var table = CsvTable.Load(csvPath);
        var columns = ChooseColumns(csvPath, table, o);
        string textColumn = columns.Text, labelColumn = columns.Label;
        var texts = table.Text(textColumn);
        var labelsText = table.Text(labelColumn);
        int empty = Array.FindIndex(texts, t => t.Length == 0);
        if (empty >= 0) throw new DataFormatException(csvPath, "the text is empty", empty + 2, textColumn);
        int tooLong = Array.FindIndex(texts, t => t.Length > o.MaxLength && CharVocabulary.Count(t) > o.MaxLength);
        if (tooLong >= 0)
            throw new DataFormatException(csvPath, $"the text has {CharVocabulary.Count(texts[tooLong]):N0} characters, more than the {o.MaxLength:N0} a classified sequence may have " +
                "(every sequence of its batch would be padded to it); classify reads short texts such as names, or raise MaxLength", tooLong + 2, textColumn);
        var labels = labelsText.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (labels.Length < 2) throw new DataFormatException(csvPath, $"needs at least two labels, found {labels.Length}");
        // A label nearly every row has to itself (an id, a sentence) cannot be learned: most test labels never occur in training.
        if (2L * labels.Length > texts.Length)
            throw new DataFormatException(csvPath, $"the label column '{labelColumn}' has {labels.Length:N0} distinct values in {texts.Length:N0} rows, fewer than two rows a class; " +
                $"name the column of classes with --label-column (columns: {Describe(ColumnStats(table))})");
        var y = labelsText.Select(l => Array.IndexOf(labels, l)).ToArray();

        var rng = new Rng(o.Seed);
        var order = Enumerable.Range(0, texts.Length).ToArray();
        for (int i = order.Length - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (order[i], order[j]) = (order[j], order[i]); }
        int test = Math.Max(1, (int)(texts.Length * o.TestFraction));
        var (testRows, validRows, trainRows) = (order[..test], order[test..(2 * test)], order[(2 * test)..]);
        var vocabulary = CharVocabulary.FromText(string.Concat(trainRows.Select(r => texts[r])));
        List<Batch> Batches(int[] rows) => rows.Chunk(o.Batch).Select(chunk =>
        {
            var encoded = chunk.Select(r => vocabulary.EncodeKnown(texts[r])).ToArray();
            int length = Math.Max(1, encoded.Max(e => e.Length));
            var ids = new int[chunk.Length * length];
            var mask = new float[chunk.Length * length];
            for (int b = 0; b < chunk.Length; b++)
                for (int t = 0; t < encoded[b].Length; t++) { ids[b * length + t] = encoded[b][t]; mask[b * length + t] = 1; }
            return new Batch(ids, Tensor.FromArray(mask, chunk.Length, length), chunk.Select(r => y[r]).ToArray(), chunk.Length, length);
        }).ToList();

        MemoryBudget.RecurrentModel("classify", o.Embedding, o.Hidden, 1, labels.Length, (double)o.Batch * texts.Max(t => t.Length), "--hidden");
        control = Resumable.For(control, "classify", o, ("data", RunIdentity.HashFile(csvPath)));
        var watch = Stopwatch.StartNew();
        var predicted = CellKinds.Visit(o.Cell, o.Init, new Fit(o, vocabulary.Size, labels.Length, Batches(trainRows), Batches(validRows), Batches(testRows), progress, control));
        Resumable.Finish(control);
        var actual = testRows.Select(r => y[r]).ToArray();
        var confusion = labels.Select(_ => new int[labels.Length]).ToArray();
        for (int i = 0; i < actual.Length; i++) confusion[actual[i]][predicted.Predictions[i]]++;
        var majority = trainRows.GroupBy(r => y[r]).MaxBy(g => g.Count())!.Key;
        return new ClassificationReport(labels, trainRows.Length, testRows.Length, Metrics.Accuracy(predicted.Predictions, actual),
            actual.Count(a => a == majority) / (double)actual.Length, labels[majority], confusion, predicted.Losses, predicted.Epochs, watch.Elapsed.TotalSeconds)
        { Columns = columns, Model = new Classifier(labels, vocabulary, o.Cell, predicted.Embedding, predicted.Network) };
    }

    /// <summary>
    /// The columns named by the user, else chosen from the data: the label is the column with the fewest distinct values
    /// (at least two; ties go to the later column), the text is the column with the longest average text among the others.
    /// A column never serves as both (learning a column from itself would score 100 % and mean nothing).
    /// </summary>
    private static ClassifierColumns ChooseColumns(string csvPath, CsvTable table, ClassifierOptions o)
    {
        if (o.TextColumn.Length > 0 && o.TextColumn == o.LabelColumn || table.Header.Count == 1)
            throw new DataFormatException(csvPath, table.Header.Count == 1
                ? $"has one column ('{table.Header[0]}'); classify needs a text column and a label column (--text-column, --label-column)"
                : $"the text column and the label column are both '{o.TextColumn}'; name two different columns with --text-column and --label-column (columns: {string.Join(", ", table.Header)})");
        if (o.TextColumn.Length > 0 && o.LabelColumn.Length > 0) return new(o.TextColumn, o.LabelColumn, "named by --text-column and --label-column");
        var stats = ColumnStats(table);
        string label = o.LabelColumn.Length > 0 ? o.LabelColumn
            : stats.Where(c => c.Name != o.TextColumn && c.Distinct >= 2).OrderBy(c => c.Distinct).ThenByDescending(c => c.Index).Select(c => c.Name).FirstOrDefault()
              ?? stats.Where(c => c.Name != o.TextColumn).OrderByDescending(c => c.Index).First().Name;
        string text = o.TextColumn.Length > 0 ? o.TextColumn
            : stats.Where(c => c.Name != label).OrderByDescending(c => c.Length).ThenBy(c => c.Index).First().Name;
        if (text == label)
            throw new DataFormatException(csvPath, $"the text column and the label column are both '{text}'; name two different columns with --text-column and --label-column (columns: {string.Join(", ", table.Header)})");
        string why = (o.TextColumn.Length > 0 ? "text named by --text-column" : $"text: the longest texts ({stats.First(c => c.Name == text).Length:F1} characters on average)")
            + "; " + (o.LabelColumn.Length > 0 ? "label named by --label-column" : $"label: the fewest distinct values ({stats.First(c => c.Name == label).Distinct:N0})")
            + $"; columns: {Describe(stats)}";
        return new(text, label, why);
    }

    /// <summary>Each column's distinct values and average text length, read once.</summary>
    private static List<(string Name, int Index, int Distinct, double Length)> ColumnStats(CsvTable table) =>
        [.. table.Header.Select((name, i) => { var cells = table.Text(name); return (name, i, cells.Distinct().Count(), cells.Average(t => (double)t.Length)); })];

    private static string Describe(List<(string Name, int Index, int Distinct, double Length)> stats) =>
        string.Join(", ", stats.Select(c => $"{c.Name} ({c.Distinct:N0} values)"));

    private sealed class Fit(ClassifierOptions o, int vocabulary, int classes, List<Batch> train, List<Batch> valid, List<Batch> test, IProgress<TrainingProgress>? progress,
        TrainingControl control)
        : ICellVisitor<(int[] Predictions, IReadOnlyList<double> Losses, IReadOnlyList<EpochSummary> Epochs, Embedding<float> Embedding, FinalStateNetwork Network)>
    {
        public (int[], IReadOnlyList<double>, IReadOnlyList<EpochSummary>, Embedding<float>, FinalStateNetwork) Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create)
        {
            var model = new Model<TState>(Embedding<float>.Create(vocabulary, o.Embedding, o.Seed + 1), create(o.Embedding, o.Hidden, o.Seed + 2), Linear<float>.Create(o.Hidden, classes, o.Seed + 3));
            // rng: the masks of a training step, in the order they are used (null: evaluation, no dropout; zoneout's expectation).
            Tensor<float> Logits(Model<TState> m, Batch b, Rng? rng = null)
            {
                var x = m.Embed.Apply(b.Ids, b.Size, b.Length);
                if (rng is not null) x = Dropout(x, DropoutMasks.Draw<float>(x.Shape, o.Dropout, rng));
                var final = o.Regularisation.UnrollCell(m.Cell, x, m.Cell.InitialState(b.Size), rng, b.Mask).Final;   // the state after each name's last real character
                var h = m.Cell.Output(final);
                if (rng is not null) h = Dropout(h, DropoutMasks.Draw<float>(h.Shape, o.Dropout, rng));
                return m.Head.Apply(h);
            }
            var result = Trainer<float>.FitStepped(model, new Adam<float>(o.LearningRate),
                (m, b, step) => CrossEntropy(Logits(m, b, o.Regularised ? DropoutMasks.Stream(o.Seed, step, 0) : null), b.Labels),
                (m, b) => CrossEntropy(Logits(m, b), b.Labels), train, valid,
                new TrainerOptions { Epochs = o.Epochs, ClipNorm = 5, Patience = 3, Seed = o.Seed }, progress, control);
            var kept = result.Parameters;
            return (test.SelectMany(b => Metrics.ArgMax(Logits(kept, b))).ToArray(), result.StepLosses, result.Epochs, kept.Embed,
                new FinalStateNetwork<TState>([kept.Cell], kept.Head, o.Regularisation, "classify"));
        }
    }
}
