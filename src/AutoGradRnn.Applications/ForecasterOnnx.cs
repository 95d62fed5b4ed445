using System.Globalization;

namespace AutoGradRnn.Applications;

/// <summary>
/// A trained <see cref="Forecaster"/> as one ONNX model: raw values in, forecasts in the series' units out, computing what
/// <see cref="Forecaster.Forecast(double[], double[][], long)"/> computes (in float32).
/// </summary>
/// <remarks>
/// Inputs: <c>history</c> float <c>[batch, W + R]</c> (the target's values of rows origin − W − R … origin − 1, oldest first),
/// <c>covariates</c> float <c>[batch, W, C]</c> (only when the run had covariates; rows origin − W … origin − 1), <c>origin</c>
/// int64 <c>[batch]</c> (the 0-based row of the first forecast step, ≥ W: the seasonal phases and, before row W + R, the
/// changes depend on it). Outputs: <c>forecast</c> float <c>[batch, H]</c> and the naive it corrects, <c>naive_forecast</c>
/// <c>[batch, H]</c>. The graph normalises in double, as the run does (Sub/Div by the training rows' means and spreads, then
/// a Cast to float32 for the network; the naive plus the scaled correction in double, rounded once), builds the change over R
/// (0 before row R, by a Where on the row), looks the phases up in sin/cos tables of each period, runs the recurrent
/// layers and the head, gathers the naive <c>y_{t + (h mod R) − R}</c> from the history and adds <c>std_Δ · correction</c>.
/// The settings are in the model's metadata_props.
/// </remarks>
public static class ForecasterOnnx
{
    /// <summary>ONNX's <c>DOUBLE</c> element type, for the casts of the normaliser (graph inputs and outputs are float32).</summary>
    private const int DoubleType = 11;

    /// <summary>
    /// Throws the <see cref="OnnxExportException"/> that <see cref="Export"/> would throw for the model a run with
    /// <paramref name="options"/> trains (--zoneout above 0, a cell without an ONNX operator), so a run asked to export can
    /// refuse before training rather than after.
    /// </summary>
    public static void Check(ForecastOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        FinalStateNetwork.CheckExportable("forecast", options.Cell, options.Regularisation);
    }

    /// <summary>
    /// The ONNX model (opset 17) of <paramref name="forecaster"/>. Throws <see cref="OnnxExportException"/> naming the setting
    /// ONNX cannot compute: zoneout (its evaluation blends states), or a cell without an ONNX recurrent op (coupled).
    /// </summary>
    public static byte[] Export(Forecaster forecaster)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        var s = forecaster.Scaling;
        int w = forecaster.Window, r = s.Reference, horizon = forecaster.Horizon, covariates = s.Covariates.Length;
        var g = new OnnxGraph("forecaster");
        var history = g.Input("history", OnnxType.Float, "batch", w + r);
        var cov = covariates > 0 ? g.Input("covariates", OnnxType.Float, "batch", w, covariates) : null;
        var origin = g.Input("origin", OnnxType.Int64, "batch");
        // The run normalises in double and rounds the features to float32: so does the graph, its constants written as
        // float32 pairs hi + lo (48 bits of each double), the values cast to double first.
        string Doubles(string hint, double[] values, params long[] dims)
        {
            var hi = values.Select(v => (float)v).ToArray();
            var lo = values.Select((v, i) => (float)(v - hi[i])).ToArray();
            return g.Named(hint, "Add", [ToDouble(g.Constant<float>($"{hint}_hi", hi, dims)), ToDouble(g.Constant<float>($"{hint}_lo", lo, dims))]);
        }
        string ToDouble(string v) => g.Op("Cast", [v], OnnxAttribute.Int("to", DoubleType));
        string ToFloat(string hint, string v) => g.Named(hint, "Cast", [v], OnnxAttribute.Int("to", (int)OnnxType.Float));
        var axis2 = g.Int64s("axis_2", 2);
        string Column(string x) => g.Op("Unsqueeze", [x, axis2]);

        // The window's rows t = origin − W + i, i = 0 … W − 1: [batch, W] int64.
        var rows = g.Named("rows", "Add", [g.Op("Unsqueeze", [origin, g.Int64s("axis_1", 1)]), g.Int64s("offsets", [.. Enumerable.Range(0, w).Select(i => (long)(i - w))], w)]);
        var axis1 = g.Int64s("slice_axis", 1);
        var history64 = ToDouble(history);
        var values = g.Named("window_values", "Slice", [history64, g.Int64s("from_r", r), g.Int64s("to_end", w + r), axis1]);
        var earlier = g.Named("values_r_before", "Slice", [history64, g.Int64s("from_0", 0), g.Int64s("to_w", w), axis1]);
        var value = ToFloat("value", g.Op("Div", [g.Op("Sub", [values, Doubles("y_mean", [s.YMean])]), Doubles("y_std", [s.YStd])]));
        var difference = g.Op("Sub", [values, earlier]);
        var changeStd = Doubles("change_std", [s.ChangeStd]);
        var change = ToFloat("change", g.Op("Div", [g.Op("Where", [g.Op("GreaterOrEqual", [rows, g.Int64s("reference", [r], [])]), difference, Doubles("zero", [0])]),
            changeStd]));
        List<string> features = [Column(value), Column(change)];
        if (cov is not null)
            features.Add(ToFloat("covariates_scaled", g.Op("Div", [
                g.Op("Sub", [ToDouble(cov), Doubles("covariate_means", [.. s.Covariates.Select(c => c.Mean)], covariates)]),
                Doubles("covariate_stds", [.. s.Covariates.Select(c => c.Std)], covariates)])));
        foreach (var p in s.Seasonal)
        {
            // Tables of exactly the values the run computes, (float)sin(2π·k/p) and cos, looked up at k = t mod p.
            var phase = g.Named($"phase_{p}", "Mod", [rows, g.Int64s($"period_{p}", [p], [])]);
            var sin = g.Constant<double>($"sin_{p}", [.. Enumerable.Range(0, p).Select(k => Math.Sin(2 * Math.PI * k / p))], p);
            var cos = g.Constant<double>($"cos_{p}", [.. Enumerable.Range(0, p).Select(k => Math.Cos(2 * Math.PI * k / p))], p);
            features.Add(Column(g.Named($"sin_{p}", "Gather", [sin, phase], OnnxAttribute.Int("axis", 0))));
            features.Add(Column(g.Named($"cos_{p}", "Gather", [cos, phase], OnnxAttribute.Int("axis", 0))));
        }
        var x = g.Named("features", "Concat", features, OnnxAttribute.Int("axis", 2));
        var timeMajor = g.Named("features_time_major", "Transpose", [x], OnnxAttribute.Ints("perm", 1, 0, 2));
        var final = forecaster.Network.AddFinal(g, timeMajor, null);
        var correction = OnnxRecurrent.AddLinear(g, forecaster.Network.Head, final);
        var naiveRows = g.Int64s("naive_rows", [.. Enumerable.Range(0, horizon).Select(h => (long)(w + h % r))], horizon);
        var naive = g.Named("naive", "Gather", [history, naiveRows], OnnxAttribute.Int("axis", 1));
        // In double as the run adds them, rounded to float32 once.
        var forecast = ToFloat("forecast_value", g.Op("Add", [
            g.Op("Gather", [history64, naiveRows], OnnxAttribute.Int("axis", 1)),
            g.Op("Mul", [ToDouble(correction), changeStd])]));
        g.Output("forecast", forecast, OnnxType.Float, "batch", horizon);
        g.Output("naive_forecast", naive, OnnxType.Float, "batch", horizon);
        return OnnxModel.Write(g, Metadata(forecaster));
    }

    private static Dictionary<string, string> Metadata(Forecaster f)
    {
        string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var s = f.Scaling;
        return new()
        {
            ["model"] = "forecaster",
            ["target"] = f.Target,
            ["covariates"] = string.Join(",", f.CovariateColumns),
            ["cell"] = CellKinds.Name(f.Cell),
            ["layers"] = f.Network.Layers.ToString(CultureInfo.InvariantCulture),
            ["window"] = f.Window.ToString(CultureInfo.InvariantCulture),
            ["horizon"] = f.Horizon.ToString(CultureInfo.InvariantCulture),
            ["history"] = f.History.ToString(CultureInfo.InvariantCulture),
            ["reference_period"] = s.Reference.ToString(CultureInfo.InvariantCulture),
            ["naive"] = Forecasting.NaiveName(s.Reference),
            ["seasonal_periods"] = string.Join(",", s.Seasonal),
            ["y_mean"] = Number(s.YMean),
            ["y_std"] = Number(s.YStd),
            ["change_std"] = Number(s.ChangeStd),
            ["inputs"] = $"history [batch, {f.History}]: the target's values of rows origin-{f.History} .. origin-1, oldest first; " +
                (s.Covariates.Length > 0 ? $"covariates [batch, {f.Window}, {s.Covariates.Length}]: {string.Join(",", f.CovariateColumns)} at rows origin-{f.Window} .. origin-1; " : "") +
                $"origin [batch] int64: the 0-based row of the first forecast step in the series (>= {f.Window})",
            ["outputs"] = $"forecast [batch, {f.Horizon}]: rows origin .. origin+{f.Horizon - 1} in the target's units; naive_forecast [batch, {f.Horizon}]: the {Forecasting.NaiveName(s.Reference)} it corrects",
        };
    }
}
