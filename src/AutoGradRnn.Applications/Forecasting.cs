using System.Diagnostics;
using System.Globalization;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Applications;

/// <summary>Settings of a forecasting run; every "0 / empty" means "infer it from the data".</summary>
public sealed record ForecastOptions
{
    /// <summary>The column to forecast ("" = the last numeric column).</summary>
    public string Column { get; init; } = "";
    /// <summary>The timestamp column ("" = the first column whose values are dates, else year/month/day columns if present).</summary>
    public string TimeColumn { get; init; } = "";
    /// <summary>
    /// Seasonal periods in steps (empty = inferred from the timestamps' spacing). Period 1 is the lag-1 (persistence)
    /// naive, which is scored in every run anyway; listing it lets nothing else change.
    /// </summary>
    public int[] Periods { get; init; } = [];
    /// <summary>Steps forecast from each origin (0 = the shortest period of at least 2 steps, e.g. a day; 1 if there is none).</summary>
    public int Horizon { get; init; }
    /// <summary>
    /// Fraction of the series held out for testing (0 = two cycles of the longest period, e.g. two weeks), rounded down
    /// to a whole number of horizons. Not together with <see cref="TestLength"/>.
    /// </summary>
    public double TestFraction { get; init; }
    /// <summary>
    /// Rows held out for testing, exactly (0 = use <see cref="TestFraction"/>). Must be a whole number of horizons: a
    /// length that is not is refused, naming both numbers, rather than rounded (which would shift every test origin).
    /// </summary>
    public int TestLength { get; init; }
    /// <summary>Extra numeric columns fed to the model as inputs.</summary>
    public string[] Covariates { get; init; } = [];
    /// <summary>The recurrent cell.</summary>
    public CellKind Cell { get; init; } = CellKind.Lstm;
    /// <summary>Hidden units.</summary>
    public int Hidden { get; init; } = 64;
    /// <summary>Input window in steps (0 = twice the horizon).</summary>
    public int Window { get; init; }
    /// <summary>Training epochs (early stopping on the validation part picks the best).</summary>
    public int Epochs { get; init; } = 30;
    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 3e-3;
    /// <summary>Windows per mini-batch.</summary>
    public int Batch { get; init; } = 32;
    /// <summary>Steps between consecutive training windows (0 = an eighth of the horizon).</summary>
    public int Stride { get; init; }
    /// <summary>Seed of the weights and the shuffling.</summary>
    public long Seed { get; init; }
    /// <summary>
    /// Dropout probability in training on the final h before the head (<see cref="Ops.Dropout{T}(Tensor{T}, Tensor{T})"/>;
    /// none in validation and forecasting). The masks of step k come from (<see cref="Seed"/>, k), so a resumed run draws the same ones.
    /// </summary>
    public double Dropout { get; init; }
    /// <summary>Initialisation of the cell (default: PyTorch's uniform weights with forget-gate bias 1; <see cref="CellInit.PyTorch"/> to match PyTorch exactly).</summary>
    public CellInit Init { get; init; } = new();
    /// <summary>
    /// Variational dropout probability (Gal &amp; Ghahramani 2016) on the cell's input and recurrent h in training, one mask per
    /// sequence (<see cref="VariationalDropout{TState, T}"/>); none in validation and forecasting. The cell then runs per step.
    /// </summary>
    public double VariationalDropout { get; init; }
    /// <summary>
    /// Zoneout probability (Krueger et al. 2017) on the cell's state in training (<see cref="Zoneout{TState, T}"/>); validation and
    /// forecasting use its expectation, <c>s_t = p·s_{t−1} + (1 − p)·cell(s_{t−1}, x_t)</c>.
    /// </summary>
    public double Zoneout { get; init; }

    /// <summary>Variational dropout and zoneout on the cell (<see cref="Dropout"/> acts elsewhere).</summary>
    internal RecurrentRegularisation Regularisation => new() { Variational = VariationalDropout, Zoneout = Zoneout };

    /// <summary>Whether training draws any masks.</summary>
    internal bool Regularised => Dropout > 0 || VariationalDropout > 0 || Zoneout > 0;
    /// <summary>
    /// Fill missing steps of the time axis by linear interpolation (reported in <see cref="ForecastReport.Time"/>) instead of
    /// refusing the file. Out-of-order rows, duplicates and irregular spacing are refused either way.
    /// </summary>
    public bool AllowGaps { get; init; }

    internal void Validate()
    {
        if (Horizon < 0) throw new ArgumentOutOfRangeException(nameof(Horizon), $"forecast: horizon {Horizon} must be ≥ 0 (0 = the shortest period)");
        if (Window < 0) throw new ArgumentOutOfRangeException(nameof(Window), $"forecast: window {Window} must be ≥ 0 (0 = twice the horizon)");
        if (Stride < 0) throw new ArgumentOutOfRangeException(nameof(Stride), $"forecast: stride {Stride} must be ≥ 0");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), $"forecast: dropout {Dropout} must be in [0, 1)");
        Regularisation.Check("forecast");
        if (Hidden < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), $"forecast: hidden size {Hidden} must be ≥ 1");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"forecast: epochs {Epochs} must be ≥ 1");
        if (Batch < 1) throw new ArgumentOutOfRangeException(nameof(Batch), $"forecast: batch {Batch} must be ≥ 1");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"forecast: learning rate {LearningRate} must be a finite number > 0");
        if (!(TestFraction >= 0 && TestFraction < 0.5)) throw new ArgumentOutOfRangeException(nameof(TestFraction), $"forecast: test fraction {TestFraction} must be in [0, 0.5) (0 = two cycles of the longest period)");
        if (TestLength < 0) throw new ArgumentOutOfRangeException(nameof(TestLength), $"forecast: --test-length {TestLength} must be ≥ 0 (0 = use --test-fraction)");
        if (TestLength > 0 && TestFraction > 0) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"forecast: pass --test-fraction ({TestFraction}) or --test-length ({TestLength}), not both"));
    }
}

/// <summary>Errors of one method over one stretch (test or validation): MAPE (%), RMSE and MAE in the series' units.</summary>
public sealed record ForecastScore(string Method, double Mape, double Rmse, double Mae);

/// <summary>
/// A forecasting run: the data it inferred, the forecasts and the scores of the model and of every naive baseline (the
/// lag-1 naive and a seasonal naive per period), on the test and on the validation stretch, with the verdict on validation.
/// </summary>
public sealed record ForecastReport(
    string Source, string Target, int[] Periods, int ReferencePeriod, int Horizon, int Window, int TrainEnd, int TestStart,
    int[] Origins, double[] Actual, double[] Forecast, IReadOnlyDictionary<string, double[]> Baselines, IReadOnlyList<ForecastScore> Scores,
    IReadOnlyList<double> StepLosses, IReadOnlyList<EpochSummary> Epochs, double Seconds)
{
    /// <summary>The time axis: whether its order was checked, its step and the missing steps filled.</summary>
    public TimeAxisReport Time { get; init; } = TimeAxisReport.Unchecked;
    /// <summary>True when <see cref="Target"/> was picked by default (the last numeric column), false when it was named.</summary>
    public bool TargetInferred { get; init; }
    /// <summary>The other numeric columns that could have been forecast (not the time, target or covariates).</summary>
    public IReadOnlyList<string> OtherColumns { get; init; } = [];
    /// <summary>The naive periods scored: 1 (the lag-1 naive, always) and every seasonal period.</summary>
    public IReadOnlyList<int> Naives { get; init; } = [];
    /// <summary>The same methods as <see cref="Scores"/>, in the same order, over the validation stretch (rows <see cref="TrainEnd"/> to <see cref="TestStart"/> − 1).</summary>
    public IReadOnlyList<ForecastScore> ValidationScores { get; init; } = [];
    /// <summary>The error that picks the best method on validation: "MAPE", or "MAE" when the validation stretch holds a zero.</summary>
    public string SelectionMetric { get; init; } = "MAPE";
    /// <summary>The method with the lowest validation error (<see cref="SelectionMetric"/>): the model or one naive.</summary>
    public string BestOnValidation { get; init; } = "";
    /// <summary>The naive with the lowest validation error; the model corrects it (<see cref="ForecastReport.ReferencePeriod"/>).</summary>
    public string BestNaive { get; init; } = "";
    /// <summary>Whether the model's validation error is below the best naive's.</summary>
    public bool ModelBeatsBestNaive { get; init; }
    /// <summary>One sentence: whether the model beats the best naive on validation, and what to do when it does not.</summary>
    public string Verdict { get; init; } = "";
    /// <summary>Training windows (origins) per epoch.</summary>
    public int TrainingWindows { get; init; }
    /// <summary>Validation forecasts (origins), each of <see cref="ForecastReport.Horizon"/> steps.</summary>
    public int ValidationWindows { get; init; }
    /// <summary>The 1-based epoch whose weights early stopping kept (the best validation loss).</summary>
    public int KeptEpoch { get; init; }
    /// <summary>Things the user should know about this run (empty when there are none), e.g. that the kept epoch is the first.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>
    /// The trained forecaster (the kept epoch's weights and the normaliser), which computed <see cref="Forecast"/>; export it with
    /// <see cref="ForecasterOnnx.Export"/>. Null only in a report built by hand; not written to results.json.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Forecaster? Model { get; init; }
}

/// <summary>
/// Day-ahead-style forecasting of one column of any CSV with a recurrent network, against the lag-1 naive and a
/// seasonal naive per period. The network reads a window of the recent past — the value, its change against the
/// reference lag, the covariates and the phase within each period — and predicts the next <c>H</c> values as
/// corrections to the naive forecast that does best on the validation part (the lag-1 naive included), so it starts
/// from the strongest baseline and learns where to depart from it; the report says whether it beats that baseline on
/// validation. Splits are by time; normalisation is fitted on training data only.
/// </summary>
public static class Forecasting
{
    private sealed record Model<TState>(IRecurrentCell<TState, float> Cell, Linear<float> Head);

    /// <summary>
    /// Loads the CSV, checks its time axis (strictly increasing by a regular step; see <see cref="ForecastOptions.AllowGaps"/>),
    /// infers what is not given, trains and evaluates. With a <paramref name="control"/> the training is resumable (its
    /// identity is the options and a hash of the file); its resume file is removed once the run is done.
    /// </summary>
    public static ForecastReport Run(string csvPath, ForecastOptions options, IProgress<TrainingProgress>? progress = null, TrainingControl? control = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var table = CsvTable.Load(csvPath);
        var (timeColumns, times) = FindTimes(table, options.TimeColumn, csvPath);
        var target = options.Column.Length > 0 ? options.Column : DefaultTarget(table, timeColumns, csvPath);
        // Named in the report: a default target (the last numeric column) is a guess the user should be able to see and change.
        string[] others = [.. table.Header.Where(h => h != target && !timeColumns.Contains(h) && !options.Covariates.Contains(h) && table.IsNumeric(h))];
        var y = table.Numbers(target);
        var covariates = options.Covariates.Select(table.Numbers).ToArray();
        var time = TimeAxisReport.Unchecked;
        if (times is not null)
        {
            var axis = TimeAxis.Check(times, csvPath, string.Join("/", timeColumns), options.AllowGaps);
            (y, covariates, times, time) = (TimeAxis.Fill(y, axis.Gaps), covariates.Select(c => TimeAxis.Fill(c, axis.Gaps)).ToArray(), TimeAxis.Fill(times, axis.Gaps), axis.Report);
        }
        var periods = options.Periods.Length > 0 ? options.Periods
            : times is not null ? InferPeriods(times, csvPath)
            : throw new DataFormatException(csvPath, "no timestamp column found (first column is not dates, and no year/month/day columns); pass --time-column or --periods");
        if (periods.Any(p => p < 1)) throw new ArgumentOutOfRangeException(nameof(options), $"forecast: --periods [{string.Join(",", periods)}] must all be ≥ 1 (1 = the lag-1 naive)");
        if (periods.Any(p => p >= y.Length)) throw new ArgumentOutOfRangeException(nameof(options), $"forecast: --periods [{string.Join(",", periods)}] must all be shorter than the {y.Length} rows of the series");
        control = Resumable.For(control, "forecast", options, ("data", RunIdentity.HashFile(csvPath)));
        var report = Run(csvPath, target, y, periods, covariates, options, progress, control) with { Time = time, TargetInferred = options.Column.Length == 0, OtherColumns = others };
        Resumable.Finish(control);
        return report;
    }

    /// <summary>The last numeric column that is not the time; if there is none, an error naming why each column is not numeric.</summary>
    private static string DefaultTarget(CsvTable table, string[] timeColumns, string source)
    {
        var candidates = table.Header.Where(h => !timeColumns.Contains(h)).ToArray();
        var numericTimes = timeColumns.Where(table.IsNumeric).ToArray();   // numbers, but dates: worth saying why they were passed over
        return candidates.LastOrDefault(table.IsNumeric) ?? throw new DataFormatException(source,
            $"has no numeric column to forecast: {string.Join("; ", candidates.Select(c => $"column '{c}' is not numeric: {table.WhyNotNumeric(c)}"))}" +
            (candidates.Length == 0 ? "there is no column besides the time" : "") +
            (numericTimes.Length > 0 ? $" (the time column{(numericTimes.Length == 1 ? "" : "s")} {string.Join("/", numericTimes)} {(numericTimes.Length == 1 ? "is" : "are")} not forecast)" : "") +
            "; fix those values or name the column with --column");
    }

    /// <summary>
    /// Seasonal periods from the timestamps' spacing: 15 min → 96/672, half-hourly → 48/336, hourly → 24/168,
    /// daily → 7/365, weekly → 52, monthly → 12. Uses the named time column, else the first column if it parses as
    /// dates, else year/month/day columns. The timestamps must increase strictly (gaps are allowed here).
    /// </summary>
    public static int[] InferPeriods(CsvTable table, string timeColumn, string source)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(timeColumn);
        var (columns, times) = FindTimes(table, timeColumn, source);
        if (times is null) throw new DataFormatException(source, "no timestamp column found (first column is not dates, and no year/month/day columns); pass --time-column or --periods");
        TimeAxis.Check(times, source, string.Join("/", columns), allowGaps: true);
        return InferPeriods(times, source);
    }

    private static int[] InferPeriods(DateTime[] times, string source)
    {
        if (times.Length < 3) throw new DataFormatException(source, "too few rows to infer seasonal periods; pass --periods");
        var spacing = times.Zip(times.Skip(1), (a, b) => (b - a).TotalMinutes).Order().ElementAt(times.Length / 2);
        return spacing switch
        {
            15 => [96, 672], 30 => [48, 336], 60 => [24, 168], 1440 => [7, 365], 10080 => [52],
            >= 40320 and <= 44640 => [12],
            _ => throw new DataFormatException(source, $"cannot infer seasonal periods from a spacing of {spacing} minutes; pass --periods"),
        };
    }

    /// <summary>
    /// The time axis: the named column, else the first column that holds dates (a first value that is a date makes a
    /// later bad one an error naming its row, not a silent "no time column"), else year/month/day columns; none → null.
    /// </summary>
    private static (string[] Columns, DateTime[]? Times) FindTimes(CsvTable table, string timeColumn, string source)
    {
        if (timeColumn.Length > 0) return ([timeColumn], table.Timestamps(timeColumn));
        // The first column holding dates, not only column 0: "id,timestamp,load" has a time axis too.
        if (table.Header.FirstOrDefault(table.StartsWithTimestamp) is { } dates) return ([dates], table.Timestamps(dates));
        string? Find(params string[] names) => names.FirstOrDefault(table.Has);
        if (Find("year") is { } yc && Find("month") is { } mc && Find("day", "date_of_month", "day_of_month", "date") is { } dc)
        {
            var (ys, ms, ds) = (table.Numbers(yc), table.Numbers(mc), table.Numbers(dc));
            var times = new DateTime[ys.Length];
            for (int i = 0; i < times.Length; i++)
            {
                if (ys[i] != Math.Floor(ys[i]) || ms[i] != Math.Floor(ms[i]) || ds[i] != Math.Floor(ds[i]) || ys[i] is < 1 or > 9999 || ms[i] is < 1 or > 12
                    || ds[i] < 1 || ds[i] > DateTime.DaysInMonth((int)ys[i], (int)ms[i]))
                    throw new DataFormatException(source, $"{yc}/{mc}/{dc} = {ys[i]}/{ms[i]}/{ds[i]} is not a date", i + 2);
                times[i] = new DateTime((int)ys[i], (int)ms[i], (int)ds[i]);
            }
            return ([yc, mc, dc], times);
        }
        return ([], null);
    }

    /// <summary>The seasonal-naive forecast of y[t+h] issued at origin t: the value one period earlier (repeated for horizons beyond a period).</summary>
    public static double SeasonalNaive(double[] y, int origin, int h, int period) => y[origin + h % period - period];

    /// <summary>The name of the naive of period <paramref name="period"/> in scores and baselines.</summary>
    public static string NaiveName(int period) => period == 1 ? "lag-1 naive" : $"seasonal naive ({period})";

    private static string ModelName(CellKind cell) => cell switch
    {
        CellKind.Rnn => "RNN", CellKind.Lstm => "LSTM", CellKind.GruResetAfter => "GRU", CellKind.PeepholeLstm => "peephole LSTM",
        CellKind.CoupledLstm => "coupled LSTM", _ => "GRU (essay form)",
    };

    /// <summary>Validation rows before a test of <paramref name="testLength"/>: half a test's worth, whole horizons, at least one.</summary>
    private static int ValidationLength(int testLength, int horizon) => Math.Max(horizon, testLength / 2 / horizon * horizon);

    private static ForecastReport Run(string source, string target, double[] y, int[] periods, double[][] covariates, ForecastOptions o, IProgress<TrainingProgress>? progress,
        TrainingControl control)
    {
        int n = y.Length, longest = periods.Max();
        int[] seasonal = [.. periods.Where(p => p > 1).Distinct()];
        int horizon = o.Horizon > 0 ? o.Horizon : seasonal.Length > 0 ? seasonal.Min() : 1;
        string horizonFlag = o.Horizon > 0 ? $"--horizon {horizon}" : $"--horizon {horizon} (the default: the shortest period)";
        // Before any arithmetic on them: a horizon or window near int.MaxValue would overflow the split below.
        if (horizon > longest) throw new ArgumentOutOfRangeException(nameof(o), $"forecast: --horizon {horizon} must not exceed the longest period {longest}");
        if (o.Window >= n) throw new ArgumentOutOfRangeException(nameof(o), $"forecast: --window {o.Window} must be shorter than the {n} rows of the series");
        if (o.TestLength >= n) throw new ArgumentOutOfRangeException(nameof(o), $"forecast: --test-length {o.TestLength} must be shorter than the {n} rows of the series");
        if (o.TestLength > 0 && o.TestLength % horizon != 0)
        {
            int below = o.TestLength / horizon * horizon, above = below + horizon;
            throw new ArgumentException($"forecast: --test-length {o.TestLength} is not a whole number of {horizonFlag} forecasts; pass --test-length " +
                (below > 0 ? $"{below} ({below / horizon} × {horizon}) or {above} ({above / horizon} × {horizon})" : $"{above} (1 × {horizon})") + ", or a --horizon that divides it");
        }
        int window = o.Window > 0 ? o.Window : 2 * horizon;
        int testLength = o.TestLength > 0 ? o.TestLength
            : Math.Max(horizon, (o.TestFraction > 0 ? (int)(n * o.TestFraction) : 2 * longest) / horizon * horizon);   // whole forecasts, ending at the last row
        int validLength = ValidationLength(testLength, horizon);
        int testStart = n - testLength, trainEnd = testStart - validLength;
        int trainingNeeds = longest + window + 4 * horizon;
        if (trainEnd < trainingNeeds) throw new ArgumentException(TooFew(n, o, periods, horizon, window, testLength, validLength, trainingNeeds));

        // Every naive is scored on validation; the best one is the baseline the model corrects, and the bar it must clear.
        int[] naives = [1, .. seasonal];
        int[] validationOrigins = Enumerable.Range(0, validLength / horizon).Select(k => trainEnd + k * horizon).ToArray();
        var validationActual = Actual(y, validationOrigins, horizon);
        bool byMape = validationActual.All(a => a != 0);            // MAPE is undefined at a zero: MAE then
        double Metric(ForecastScore s) => (byMape ? s.Mape : s.Mae) is var m && double.IsFinite(m) ? m : double.PositiveInfinity;
        var naiveValidation = naives.Select(p => Score(NaiveName(p), validationOrigins, p, y, horizon)).ToArray();
        int reference = naives[Array.IndexOf(naiveValidation, naiveValidation.MinBy(Metric))];   // ties: the simpler, earlier naive

        // Features per step: value, change over the reference period, covariates, phase within each seasonal period.
        int fCount = 2 + covariates.Length + 2 * seasonal.Length;
        var features = new float[n * fCount];
        double Mean(Func<int, double> f, int from) { double s = 0; for (int t = from; t < trainEnd; t++) s += f(t); return s / (trainEnd - from); }
        double Std(Func<int, double> f, int from) { double m = Mean(f, from), s = 0; for (int t = from; t < trainEnd; t++) s += (f(t) - m) * (f(t) - m); return Math.Max(Math.Sqrt(s / (trainEnd - from)), 1e-9); }
        Func<int, double> change = t => t >= reference ? y[t] - y[t - reference] : 0;
        var (yMean, yStd, cStd) = (Mean(t => y[t], 0), Std(t => y[t], 0), Std(change, reference));
        var covStats = covariates.Select(c => (Mean(t => c[t], 0), Std(t => c[t], 0))).ToArray();
        var scaling = new ForecastScaling(yMean, yStd, cStd, covStats, seasonal, reference);
        for (int t = 0; t < n; t++)
        {
            int row = t;
            scaling.Write(features.AsSpan(t * fCount, fCount), t, y[t], change(t), c => covariates[c][row]);
        }
        // Targets: the correction to the reference naive, in units of the change's spread.
        WindowBatch<float> Windows(IEnumerable<int> origins)
        {
            var list = origins.ToArray();
            var x = new float[list.Length * window * fCount];
            var targets = new float[list.Length * horizon];
            for (int i = 0; i < list.Length; i++)
            {
                Array.Copy(features, (list[i] - window) * fCount, x, i * window * fCount, window * fCount);
                for (int h = 0; h < horizon; h++) targets[i * horizon + h] = (float)((y[list[i] + h] - SeasonalNaive(y, list[i], h, reference)) / cStd);
            }
            return new WindowBatch<float>(Tensor.FromArray(x, list.Length, window, fCount), Tensor.FromArray(targets, list.Length, horizon), list);
        }
        int stride = o.Stride > 0 ? o.Stride : Math.Max(1, horizon / 8);
        int first = Math.Max(window, longest);
        // Training windows overlap (a window of W steps every stride steps): stored, they would hold W / stride copies of
        // the features. Each mini-batch is made when the trainer reads it, the same rows in the same order as before.
        int[] trainOrigins = Enumerable.Range(0, (trainEnd - horizon - first) / stride + 1).Select(k => first + k * stride).ToArray();
        CheckWindows(window, fCount, Math.Min(trainOrigins.Length, o.Batch) + validationOrigins.Length + testLength / horizon, o.Hidden, o.Batch);
        var trainBatches = new BatchList<WindowBatch<float>>((trainOrigins.Length + o.Batch - 1) / o.Batch,
            k => Windows(trainOrigins[(k * o.Batch)..Math.Min(trainOrigins.Length, (k + 1) * o.Batch)]));
        var validWindows = Windows(validationOrigins);
        int[] testOrigins = Enumerable.Range(0, testLength / horizon).Select(k => testStart + k * horizon).ToArray();
        var testWindows = Windows(testOrigins);

        var watch = Stopwatch.StartNew();
        var fit = CellKinds.Visit(o.Cell, o.Init, new Fit(o, fCount, horizon, trainBatches, validWindows, testWindows, progress, control));
        double seconds = watch.Elapsed.TotalSeconds;

        double[] Corrected(int[] origins, float[] corrections) =>
            origins.SelectMany((t, i) => Enumerable.Range(0, horizon).Select(h => SeasonalNaive(y, t, h, reference) + corrections[i * horizon + h] * cStd)).ToArray();
        string model = $"{CellKinds.Name(o.Cell)} (corrects {(reference == 1 ? "lag-1 naive" : $"naive {reference}")})";
        var actual = Actual(y, testOrigins, horizon);
        var forecast = Corrected(testOrigins, fit.Test);
        var baselines = naives.ToDictionary(NaiveName, p => testOrigins.SelectMany(t => Enumerable.Range(0, horizon).Select(h => SeasonalNaive(y, t, h, p))).ToArray());
        var scores = new List<ForecastScore> { Score(model, actual, forecast) };
        scores.AddRange(baselines.Select(b => Score(b.Key, actual, b.Value)));
        List<ForecastScore> validationScores = [Score(model, validationActual, Corrected(validationOrigins, fit.Validation)), .. naiveValidation];

        var best = naiveValidation[Array.IndexOf(naives, reference)];
        bool beats = Metric(validationScores[0]) < Metric(best);
        string metric = byMape ? "MAPE" : "MAE", unit = byMape ? " %" : "";
        string Value(ForecastScore s) => (byMape ? s.Mape : s.Mae).ToString("0.##", CultureInfo.InvariantCulture) + unit;
        string verdict = beats
            ? $"the {ModelName(o.Cell)} beats the best naive, the {best.Method}, on validation ({metric} {Value(validationScores[0])} against {Value(best)})"
            : $"the {ModelName(o.Cell)} does not beat the {best.Method} on validation ({metric} {Value(validationScores[0])} against {Value(best)}); use the naive or more data";
        int kept = fit.BestEpoch >= 0 ? fit.BestEpoch + 1 : fit.Epochs.Count;
        List<string> warnings = [];
        if (kept == 1)
            warnings.Add(fit.Epochs.Count == 1
                ? "early stopping kept epoch 1, the only one run: the model has seen the data once; raise --epochs"
                : $"early stopping kept epoch 1 of {fit.Epochs.Count}: the validation loss never improved after the first pass, so the model is barely trained; trust it only where it beats the naives on validation");
        return new ForecastReport(source, target, periods, reference, horizon, window, trainEnd, testStart, testOrigins, actual, forecast, baselines, scores, fit.Losses, fit.Epochs, seconds)
        {
            Naives = naives, ValidationScores = validationScores, SelectionMetric = metric, BestOnValidation = validationScores.MinBy(Metric)!.Method,
            BestNaive = best.Method, ModelBeatsBestNaive = beats, Verdict = verdict, TrainingWindows = trainOrigins.Length, ValidationWindows = validationOrigins.Length,
            KeptEpoch = kept, Warnings = warnings, Model = new Forecaster(target, o.Covariates, o.Cell, window, horizon, scaling, fit.Network),
        };
    }

    /// <summary>
    /// Why the series is too short for these settings, with the numbers each part needs and the flags that change them:
    /// the largest --test-length that fits, the periods without the longest, or the rows to add.
    /// </summary>
    private static string TooFew(int n, ForecastOptions o, int[] periods, int horizon, int window, int testLength, int validLength, int trainingNeeds)
    {
        int longest = periods.Max();
        string testFrom = o.TestLength > 0 ? "--test-length" : o.TestFraction > 0 ? $"--test-fraction {o.TestFraction.ToString(CultureInfo.InvariantCulture)}" : "the default: two cycles of the longest period, in whole horizons";
        long needed = (long)testLength + validLength + trainingNeeds;
        var fixes = new List<string>();
        for (int l = (testLength - 1) / horizon * horizon; l >= horizon; l -= horizon)
            if ((long)n - l - ValidationLength(l, horizon) >= trainingNeeds) { fixes.Add($"pass --test-length {l} or less (whole horizons; --test-fraction {Math.Round((double)l / n, 3, MidpointRounding.ToZero).ToString(CultureInfo.InvariantCulture)})"); break; }
        if (periods.Distinct().Count() > 1) fixes.Add($"drop {longest} from --periods (--periods {string.Join(",", periods.Where(p => p != longest))})");
        fixes.Add($"lower --window {window}");
        fixes.Add(string.Create(CultureInfo.InvariantCulture, $"give at least {needed:N0} rows"));
        return string.Create(CultureInfo.InvariantCulture,
            $"forecast: {n:N0} rows are too few: a test period of {testLength:N0} rows ({testFrom}), a validation period of {validLength:N0} and training of at least {trainingNeeds:N0} (the longest period {longest} of --periods + --window {window} + 4 × --horizon {horizon}) need {needed:N0}; {string.Join(", or ", fixes)}");
    }

    private static double[] Actual(double[] y, int[] origins, int horizon) => origins.SelectMany(t => Enumerable.Range(0, horizon).Select(h => y[t + h])).ToArray();

    private static ForecastScore Score(string method, int[] origins, int period, double[] y, int horizon)
    {
        var actual = origins.SelectMany(t => Enumerable.Range(0, horizon).Select(h => y[t + h])).ToArray();
        return Score(method, actual, origins.SelectMany(t => Enumerable.Range(0, horizon).Select(h => SeasonalNaive(y, t, h, period))).ToArray());
    }

    private static ForecastScore Score(string method, double[] actual, double[] forecast) =>
        new(method, actual.All(a => a != 0) ? Metrics.Mape(forecast, actual) : double.NaN, Metrics.Rmse(forecast, actual), Metrics.Mae(forecast, actual));

    /// <summary>
    /// The validation and test windows are materialised as one array each, the training windows one mini-batch at a time:
    /// with a long window on a long series they can pass what an array holds (an overflow before this check) or the
    /// machine's memory; checked before allocating, naming --window.
    /// </summary>
    private static void CheckWindows(int window, int features, int windows, int hidden, int batch)
    {
        var what = string.Create(CultureInfo.InvariantCulture, $"--window {window}: {windows:N0} windows of {window:N0} steps × {features} features");
        MemoryBudget.Array("forecast", $"{what} have", (double)windows * window * features, "--window");
        double activations = 4.0 * 24 * hidden * window * Math.Min(windows, batch);
        MemoryBudget.Require("forecast", what, 4.0 * windows * window * features + activations, "--window or --hidden");
    }

    private sealed record Fitted(float[] Validation, float[] Test, IReadOnlyList<double> Losses, IReadOnlyList<EpochSummary> Epochs, int BestEpoch, FinalStateNetwork Network);

    private sealed class Fit(ForecastOptions o, int features, int horizon, IReadOnlyList<WindowBatch<float>> train, WindowBatch<float> valid, WindowBatch<float> test, IProgress<TrainingProgress>? progress,
        TrainingControl control)
        : ICellVisitor<Fitted>
    {
        public Fitted Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create)
        {
            var model = new Model<TState>(create(features, o.Hidden, o.Seed), Linear<float>.Create(o.Hidden, horizon, o.Seed + 1));
            // rng: the masks of a training step, the cell's first (null: evaluation, no dropout; zoneout's expectation).
            Tensor<float> Predict(Model<TState> m, Tensor<float> x, Rng? rng = null)
            {
                var h = m.Cell.Output(o.Regularisation.UnrollCell(m.Cell, x, m.Cell.InitialState(x.Shape[0]), rng).Final);
                return m.Head.Apply(rng is null ? h : Dropout(h, DropoutMasks.Draw<float>(h.Shape, o.Dropout, rng)));
            }
            var result = Trainer<float>.FitStepped(model, new Adam<float>(o.LearningRate),
                (m, b, step) => MeanSquaredError(Predict(m, b.Inputs, o.Regularised ? DropoutMasks.Stream(o.Seed, step, 0) : null), b.Targets),
                (m, b) => MeanSquaredError(Predict(m, b.Inputs), b.Targets),
                train, Windows.Batches(valid, o.Batch),
                new TrainerOptions { Epochs = o.Epochs, Patience = 6, ClipNorm = 1, Seed = o.Seed }, progress, control);
            var kept = result.Parameters;
            return new Fitted(Predict(kept, valid.Inputs).ToArray(), Predict(kept, test.Inputs).ToArray(), result.StepLosses, result.Epochs, result.BestEpoch,
                new FinalStateNetwork<TState>([kept.Cell], kept.Head, o.Regularisation, "forecast"));
        }
    }
}
