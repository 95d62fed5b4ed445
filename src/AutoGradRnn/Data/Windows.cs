using System.Numerics;

namespace AutoGradRnn;

/// <summary>Forecasting samples: input windows <c>[n, W, F]</c>, the next <c>H</c> values of the target column <c>[n, H]</c>, and where each target range starts.</summary>
public sealed record WindowBatch<T>(Tensor<T> Inputs, Tensor<T> Targets, int[] TargetStarts) : ITrainingBatch where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public int Items => Inputs.Shape[0];
}

/// <summary>Contiguous split points of a series in time: train [0, TrainEnd), validation [TrainEnd, ValidationEnd), test [ValidationEnd, Length).</summary>
public sealed record TimeSplit(int Length, int TrainEnd, int ValidationEnd)
{
    /// <summary>Splits <paramref name="length"/> steps by fractions, the last <paramref name="testFraction"/> as test and the <paramref name="validationFraction"/> before it as validation. Never shuffled.</summary>
    public static TimeSplit ByFraction(int length, double validationFraction, double testFraction)
    {
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length), $"split: length {length} must be positive");
        if (!(validationFraction >= 0) || !(testFraction >= 0) || validationFraction + testFraction >= 1)
            throw new ArgumentOutOfRangeException(nameof(testFraction), $"split: validation {validationFraction} and test {testFraction} fractions must be ≥ 0 and leave some training data");
        int test = (int)Math.Round(length * testFraction), validation = (int)Math.Round(length * validationFraction);
        return new TimeSplit(length, length - test - validation, length - test);
    }
}

/// <summary>
/// Sliding windows for forecasting: each sample reads <c>W</c> steps of every feature and predicts the next
/// <c>H</c> steps of one target column. Windows are chosen by where their <em>targets</em> fall, so training,
/// validation and test targets never overlap while a validation window may read the training data before it.
/// </summary>
public static class Windows
{
    /// <summary>
    /// All windows whose H targets lie in [<paramref name="targetFrom"/>, <paramref name="targetTo"/>) and whose
    /// inputs lie inside the series, starting every <paramref name="stride"/> steps (the first target at <paramref name="targetFrom"/>).
    /// </summary>
    public static WindowBatch<T> Create<T>(Tensor<T> series, int window, int horizon, int targetColumn, int targetFrom, int targetTo, int stride = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(series);
        var s = series.Rank == 1 ? series.Reshape(series.Count, 1) : series;
        if (s.Rank != 2) throw new ShapeMismatchException("windows", "the series must be [length] or [length, features]", series.Shape);
        int n = s.Shape[0], f = s.Shape[1];
        if (window <= 0 || horizon <= 0 || stride <= 0)
            throw new ArgumentOutOfRangeException(nameof(window), $"windows: window {window}, horizon {horizon} and stride {stride} must be positive");
        if ((uint)targetColumn >= (uint)f) throw new ArgumentOutOfRangeException(nameof(targetColumn), $"windows: target column {targetColumn} is outside the {f} features");
        if (targetFrom < 0 || targetTo > n || targetFrom >= targetTo)
            throw new ArgumentOutOfRangeException(nameof(targetFrom), $"windows: target range [{targetFrom}, {targetTo}) must lie inside the series of length {n}");
        var starts = new List<int>();
        for (int start = Math.Max(targetFrom, window); start + horizon <= targetTo; start += stride) starts.Add(start);
        if (starts.Count == 0)
            throw new ArgumentException($"windows: no window of {window} inputs and {horizon} targets fits with targets in [{targetFrom}, {targetTo})");
        var data = s.AsSpan();
        var inputs = new T[starts.Count * window * f];
        var targets = new T[starts.Count * horizon];
        for (int i = 0; i < starts.Count; i++)
        {
            data.Slice((starts[i] - window) * f, window * f).CopyTo(inputs.AsSpan(i * window * f, window * f));
            for (int h = 0; h < horizon; h++) targets[i * horizon + h] = data[(starts[i] + h) * f + targetColumn];
        }
        return new WindowBatch<T>(Tensor.FromArray(inputs, starts.Count, window, f), Tensor.FromArray(targets, starts.Count, horizon), [.. starts]);
    }

    /// <summary>Cuts a set of windows into mini-batches of at most <paramref name="batchSize"/> samples, in time order.</summary>
    public static IReadOnlyList<WindowBatch<T>> Batches<T>(WindowBatch<T> all, int batchSize) where T : unmanaged, IFloatingPointIeee754<T> =>
        Batches(all, batchSize, null);

    /// <summary>Cuts a set of windows into mini-batches of at most <paramref name="batchSize"/> samples in an order shuffled by <paramref name="seed"/>.</summary>
    public static IReadOnlyList<WindowBatch<T>> ShuffledBatches<T>(WindowBatch<T> all, int batchSize, long seed) where T : unmanaged, IFloatingPointIeee754<T> =>
        Batches(all, batchSize, (long?)seed);

    private static IReadOnlyList<WindowBatch<T>> Batches<T>(WindowBatch<T> all, int batchSize, long? seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(all);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"windows: batch size {batchSize} must be positive");
        int n = all.Inputs.Shape[0];
        var order = Enumerable.Range(0, n).ToArray();
        if (seed is long s)
        {
            var rng = new Rng(s);
            for (int i = n - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (order[i], order[j]) = (order[j], order[i]); }
        }
        var result = new List<WindowBatch<T>>();
        for (int from = 0; from < n; from += batchSize)
        {
            var idx = order[from..Math.Min(n, from + batchSize)];
            result.Add(new WindowBatch<T>(Rows(all.Inputs, idx), Rows(all.Targets, idx), idx.Select(i => all.TargetStarts[i]).ToArray()));
        }
        return result;
    }

    private static Tensor<T> Rows<T>(Tensor<T> x, int[] rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = x.Count / x.Shape[0];
        var flat = Ops.Gather(x.Reshape(x.Shape[0], width), rows);
        return flat.Reshape(x.Shape.With(0, rows.Length).ToArray());
    }
}

/// <summary>
/// Per-feature standardisation z = (x − μ)/σ with μ, σ fitted on the training part only, so no statistic
/// of the validation or test data leaks into training.
/// </summary>
public sealed record Normalizer<T>(T[] Mean, T[] Std) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Fits μ and σ per column of rows [0, <paramref name="trainEnd"/>) of a series <c>[N, F]</c> or <c>[N]</c>.</summary>
    public static Normalizer<T> Fit(Tensor<T> series, int trainEnd)
    {
        ArgumentNullException.ThrowIfNull(series);
        var s = series.Rank == 1 ? series.Reshape(series.Count, 1) : series;
        if (s.Rank != 2) throw new ShapeMismatchException("normalizer", "the series must be [length] or [length, features]", series.Shape);
        int f = s.Shape[1];
        if (trainEnd < 2 || trainEnd > s.Shape[0])
            throw new ArgumentOutOfRangeException(nameof(trainEnd), $"normalizer: training end {trainEnd} must be in [2, {s.Shape[0]}]");
        var data = s.AsSpan();
        var mean = new T[f];
        var std = new T[f];
        for (int c = 0; c < f; c++)
        {
            double sum = 0, sq = 0;
            for (int r = 0; r < trainEnd; r++)
            {
                double v = double.CreateTruncating(data[r * f + c]);
                if (!double.IsFinite(v)) throw new ArgumentException($"normalizer: value {v} at row {r}, column {c} is not finite");
                sum += v;
            }
            double mu = sum / trainEnd;
            for (int r = 0; r < trainEnd; r++) { double d = double.CreateTruncating(data[r * f + c]) - mu; sq += d * d; }
            double sigma = Math.Sqrt(sq / trainEnd);
            mean[c] = T.CreateTruncating(mu);
            std[c] = T.CreateTruncating(sigma > 0 ? sigma : 1);   // a constant column stays centred, unscaled
        }
        return new Normalizer<T>(mean, std);
    }

    /// <summary>(x − μ)/σ per column.</summary>
    public Tensor<T> Apply(Tensor<T> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return Map(series, (v, c) => (v - Mean[c]) / Std[c]);
    }

    /// <summary>x·σ + μ per column: back to the original units.</summary>
    public Tensor<T> Invert(Tensor<T> normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        return Map(normalized, (v, c) => v * Std[c] + Mean[c]);
    }

    /// <summary>Undoes the scaling of one column (e.g. forecasts of the target column).</summary>
    public Tensor<T> InvertColumn(Tensor<T> values, int column)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Tensor.FromArray(values.ToArray().Select(v => v * Std[column] + Mean[column]).ToArray(), values.Shape);
    }

    private Tensor<T> Map(Tensor<T> x, Func<T, int, T> f)
    {
        int width = Mean.Length;
        if (x.Shape.Last != width && !(width == 1 && x.Rank == 1))
            throw new ShapeMismatchException("normalizer", $"expects {width} features in the last axis", x.Shape);
        var d = x.ToArray();
        for (int i = 0; i < d.Length; i++) d[i] = f(d[i], i % width);
        return Tensor.FromArray(d, x.Shape);
    }
}
