namespace AutoGradRnn.Applications;

/// <summary>
/// The normaliser of a forecaster's inputs, fitted on the training rows: the features of row <c>t</c> are
/// <c>(y_t − mean_y)/std_y</c>, <c>(y_t − y_{t−R})/std_Δ</c> (0 for <c>t &lt; R</c>, R the reference period), each covariate's
/// <c>(c_t − mean_c)/std_c</c>, and <c>sin, cos(2π·(t mod p)/p)</c> for each seasonal period p.
/// </summary>
internal sealed record ForecastScaling(double YMean, double YStd, double ChangeStd, (double Mean, double Std)[] Covariates, int[] Seasonal, int Reference)
{
    /// <summary>Features per step.</summary>
    public int Features => 2 + Covariates.Length + 2 * Seasonal.Length;

    /// <summary>Writes the features of row <paramref name="t"/> (value <paramref name="y"/>, change <paramref name="change"/>) into <paramref name="f"/>.</summary>
    public void Write(Span<float> f, long t, double y, double change, Func<int, double> covariate)
    {
        int k = 0;
        f[k++] = (float)((y - YMean) / YStd);
        f[k++] = (float)(change / ChangeStd);
        for (int c = 0; c < Covariates.Length; c++) f[k++] = (float)((covariate(c) - Covariates[c].Mean) / Covariates[c].Std);
        foreach (var p in Seasonal)
        {
            f[k++] = (float)Math.Sin(2 * Math.PI * (t % p) / p);
            f[k++] = (float)Math.Cos(2 * Math.PI * (t % p) / p);
        }
    }
}

/// <summary>
/// A trained forecaster, as a <see cref="Forecasting"/> run kept it (<see cref="ForecastReport.Model"/>): from the recent past of
/// the series it forecasts the next <see cref="Horizon"/> values in the series' units,
/// <c>ŷ_{t+h} = y_{t + (h mod R) − R} + std_Δ · net(features of rows t − W … t − 1)_h</c>: the reference naive (period
/// <see cref="ReferencePeriod"/> = R, chosen on validation) corrected by the network, W = <see cref="Window"/>.
/// </summary>
public sealed class Forecaster
{
    internal Forecaster(string target, string[] covariates, CellKind cell, int window, int horizon, ForecastScaling scaling, FinalStateNetwork network)
    {
        (Target, CovariateColumns, Cell, Window, Horizon, Scaling, Network) = (target, covariates, cell, window, horizon, scaling, network);
    }

    internal ForecastScaling Scaling { get; }
    internal FinalStateNetwork Network { get; }

    /// <summary>The forecast column.</summary>
    public string Target { get; }
    /// <summary>The covariate columns the network reads, in order.</summary>
    public IReadOnlyList<string> CovariateColumns { get; }
    /// <summary>The recurrent cell.</summary>
    public CellKind Cell { get; }
    /// <summary>Steps the network reads (W).</summary>
    public int Window { get; }
    /// <summary>Steps forecast from each origin.</summary>
    public int Horizon { get; }
    /// <summary>The period of the naive the network corrects (1 = the lag-1 naive), the best on validation.</summary>
    public int ReferencePeriod => Scaling.Reference;
    /// <summary>The seasonal periods (≥ 2) whose phase the network reads.</summary>
    public IReadOnlyList<int> SeasonalPeriods => Scaling.Seasonal;
    /// <summary>Values of the target a forecast reads: <see cref="Window"/> + <see cref="ReferencePeriod"/> (the window's changes reach R rows further back).</summary>
    public int History => Window + ReferencePeriod;

    /// <summary>
    /// The forecast of rows <paramref name="origin"/> … origin + H − 1 in the target's units, as the run computes its
    /// validation and test forecasts. <paramref name="history"/>: the target's <see cref="History"/> values of rows
    /// origin − History … origin − 1, oldest first; <paramref name="covariates"/>: per covariate column, its
    /// <see cref="Window"/> values of rows origin − W … origin − 1; <paramref name="origin"/>: the 0-based row of the first
    /// forecast step in the series (after gap filling; the seasonal phases and, before row R + W, the changes depend on it), ≥ W.
    /// </summary>
    public double[] Forecast(double[] history, double[][] covariates, long origin)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(covariates);
        return Forecast([history], [covariates], [origin])[0];
    }

    /// <summary>A batch of <see cref="Forecast(double[], double[][], long)"/>, computed as one batch through the network.</summary>
    internal double[][] Forecast(double[][] histories, double[][][] covariates, long[] origins)
    {
        int batch = histories.Length, features = Scaling.Features, reference = Scaling.Reference;
        if (covariates.Length != batch || origins.Length != batch)
            throw new ArgumentException($"forecaster: {batch} histories, {covariates.Length} covariate windows and {origins.Length} origins; give one of each per forecast");
        var x = new float[batch * Window * features];
        for (int b = 0; b < batch; b++)
        {
            var (history, cov, origin) = (histories[b], covariates[b], origins[b]);
            if (history.Length != History)
                throw new ArgumentException($"forecaster: the history holds {history.Length} values; it needs {History} (--window {Window} + the reference period {reference}), the last before the origin");
            if (cov.Length != Scaling.Covariates.Length || cov.Any(c => c.Length != Window))
                throw new ArgumentException($"forecaster: the covariates are [{string.Join(", ", cov.Select(c => c.Length))}] values; it needs {Scaling.Covariates.Length} columns ({string.Join(", ", CovariateColumns)}) of {Window} values each");
            if (origin < Window)
                throw new ArgumentOutOfRangeException(nameof(origins), $"forecaster: origin row {origin} must be ≥ the window {Window}");
            for (int i = 0; i < Window; i++)
            {
                long t = origin - Window + i;
                int row = reference + i;
                Scaling.Write(x.AsSpan((b * Window + i) * features, features), t, history[row], t >= reference ? history[row] - history[i] : 0, c => cov[c][i]);
            }
        }
        var corrections = Network.Apply(Tensor.FromArray(x, batch, Window, features)).ToArray();
        return [.. Enumerable.Range(0, batch).Select(b => Enumerable.Range(0, Horizon)
            .Select(h => histories[b][Window + h % reference] + corrections[b * Horizon + h] * Scaling.ChangeStd).ToArray())];
    }
}
