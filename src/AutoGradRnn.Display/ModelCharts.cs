using Plotly.NET;

namespace AutoGradRnn.Display;

/// <summary>
/// Charts of the library's models and results, one call each, so a notebook cell or the CLI stays one line. Each
/// returns a Plotly.NET chart (or an <see cref="AnimatedChart"/>) that can be styled further.
/// </summary>
public static class ModelCharts
{
    /// <summary>Training loss per step in bits per character (loss / ln 2), raw and smoothed over <paramref name="window"/> steps.</summary>
    public static GenericChart LossCurve(IReadOnlyList<double> stepLosses, string title = "training loss", int window = 20)
    {
        ArgumentNullException.ThrowIfNull(stepLosses);
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), $"loss curve: smoothing window {window} must be ≥ 1");
        var bpc = stepLosses.Select(Metrics.BitsPerCharacter).ToArray();
        var smooth = Enumerable.Range(0, bpc.Length).Select(i => bpc.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Average());
        return Plot.Combine([Plot.Line(bpc, "per step"), Plot.Line(smooth, $"mean of {window} steps")])
            .WithTitle(title).WithXAxisStyle("step").WithYAxisStyle("bits per character");
    }

    /// <summary>
    /// A character model's run in bits per character against the step (1 … steps): the training loss per step (loss / ln 2)
    /// and its mean over <paramref name="window"/> steps, the validation bpc at the steps in <paramref name="validation"/>
    /// (none: no line), and a baseline's validation bpc as a horizontal line (NaN: none), so the chart shows what the network adds.
    /// </summary>
    public static GenericChart CharModelCurve(IReadOnlyList<double> stepLosses, IReadOnlyList<(long Step, double Bpc)> validation,
        string baselineName, double baselineBpc, string title, int window = 20)
    {
        ArgumentNullException.ThrowIfNull(stepLosses);
        ArgumentNullException.ThrowIfNull(validation);
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), $"char model curve: smoothing window {window} must be ≥ 1");
        var bpc = stepLosses.Select(Metrics.BitsPerCharacter).ToArray();
        var steps = Enumerable.Range(1, bpc.Length).Select(i => (double)i).ToArray();
        var smooth = Enumerable.Range(0, bpc.Length).Select(i => bpc.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Average());
        var lines = new List<GenericChart> { Plot.Line(steps, bpc, "train, per step"), Plot.Line(steps, smooth, $"train, mean of {window} steps") };
        if (validation.Count > 0) lines.Add(Plot.Line(validation.Select(v => (double)v.Step), validation.Select(v => v.Bpc), "validation", showMarkers: true));
        if (!double.IsNaN(baselineBpc) && bpc.Length > 0) lines.Add(Plot.Line([1, bpc.Length], [baselineBpc, baselineBpc], baselineName));
        return Plot.Combine(lines).WithTitle(title).WithXAxisStyle("step").WithYAxisStyle("bits per character");
    }

    /// <summary>
    /// Actual values, the model's forecast and every baseline over the test origins of <paramref name="horizon"/>-step
    /// forecasts of <paramref name="target"/> (a forecast report's <c>Actual</c>, <c>Forecast</c>, <c>Baselines</c>).
    /// </summary>
    /// <remarks>
    /// The application charts take plain data, not the applications' report types, so this assembly does not depend on
    /// AutoGradRnn.Applications: a notebook process that loads the charts before the applications would otherwise bind
    /// them to a second copy of that assembly (MissingMethodException).
    /// </remarks>
    public static GenericChart Forecast(IReadOnlyList<double> actual, IReadOnlyList<double> forecast, IEnumerable<KeyValuePair<string, double[]>> baselines, string target, int horizon)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(forecast);
        ArgumentNullException.ThrowIfNull(baselines);
        return Plot.Combine([
                Plot.Line(actual, "actual"),
                Plot.Line(forecast, "model"),
                .. baselines.Select(b => Plot.Line(b.Value, b.Key)),
            ])
            .WithTitle($"{target}: {horizon}-step forecasts over the test period").WithXAxisStyle("step of the test period").WithYAxisStyle(target);
    }

    /// <summary>A confusion matrix (<paramref name="confusion"/>[true][predicted] counts) as a heatmap, row-normalised: each true label's spread of predictions.</summary>
    public static GenericChart Confusion(IReadOnlyList<int[]> confusion, IReadOnlyList<string> labels, double accuracy, double majorityAccuracy)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        ArgumentNullException.ThrowIfNull(labels);
        return Plot.Heatmap(confusion.Select(row => row.Select(c => row.Sum() == 0 ? 0 : (double)c / row.Sum())), labels, labels, "Blues", reverseScale: true)
            .WithTitle($"confusion (test accuracy {accuracy:P1}, majority {majorityAccuracy:P1})").WithXAxisStyle("predicted").WithYAxisStyle("true").WithSize(800, 700);
    }

    /// <summary>The long-term-dependency experiment: the mean metric against the gap, one line per cell and initialisation.</summary>
    public static GenericChart GapCurves(IEnumerable<(string Cell, string Init, int Gap, double Metric)> results, string title, string metric)
    {
        ArgumentNullException.ThrowIfNull(results);
        var list = results.ToList();
        var gaps = list.Select(x => x.Gap).Distinct().Order().ToArray();
        return Plot.Combine(list.GroupBy(x => (x.Cell, x.Init)).Select(g => Plot.Line(gaps.Select(gap => (double)gap),
                gaps.Select(gap => g.Where(x => x.Gap == gap).Select(x => x.Metric).DefaultIfEmpty(double.NaN).Average()), $"{g.Key.Cell} ({g.Key.Init})", showMarkers: true)))
            .WithTitle(title).WithXAxisStyle("gap", log: true).WithYAxisStyle(metric);
    }

    /// <summary>
    /// How fast the cell state fades when nothing is written: with the input gate shut, C_t = f^t·C_0 where
    /// f = σ(b_f) is the forget gate at bias <c>b_f</c> (zero input). One curve per bias; a slider picks the bias.
    /// </summary>
    public static GenericChart ForgetGateDecay(IReadOnlyList<double> biases, int steps = 50)
    {
        ArgumentNullException.ThrowIfNull(biases);
        if (biases.Count == 0) throw new ArgumentException("forget-gate decay: no biases given", nameof(biases));
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"forget-gate decay: steps {steps} must be ≥ 1");
        var t = Enumerable.Range(0, steps + 1).Select(i => (double)i).ToArray();
        var curves = biases.Select(b =>
        {
            double f = 1 / (1 + Math.Exp(-b));
            return Plot.Line(t, t.Select(k => Math.Pow(f, k)), $"b_f = {b:0.##}: f = σ(b_f) = {f:0.###}");
        }).ToList();
        var chart = Plot.Combine(curves).WithTitle("cell state kept after t steps with nothing written: C_t / C_0 = f^t")
            .WithXAxisStyle("t").WithYAxisStyle("C_t / C_0").WithSize(900, 480);
        int start = biases.Count / 2;
        return LayoutEdit.Layout(chart, l =>
        {
            LayoutEdit.Set(l, "yaxis", "range", new[] { 0.0, 1.05 });
            l.SetProperty("showlegend", false);
            l.SetProperty("sliders", new[]
            {
                new Dictionary<string, object>
                {
                    ["active"] = start,
                    ["currentvalue"] = new Dictionary<string, object> { ["prefix"] = "forget-gate bias b_f = " },
                    ["pad"] = new Dictionary<string, object> { ["t"] = 40 },
                    ["steps"] = biases.Select((b, i) => new Dictionary<string, object>
                    {
                        ["label"] = b.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
                        ["method"] = "restyle",
                        ["args"] = new object[] { "visible", biases.Select((_, j) => j == i).ToArray() },
                    }).ToArray(),
                },
            });
        }).WithVisibleTrace(start);
    }

    private static GenericChart WithVisibleTrace(this GenericChart chart, int visible) =>
        LayoutEdit.Traces(chart, (i, t) => t.SetProperty("visible", i == visible));

    /// <summary>
    /// An animation of gate activations across training: one heatmap (gates × units, or any rows × columns) per
    /// recorded step, with a play button and a slider over the steps. The colour range is fixed to [0, 1] (gates are σ).
    /// </summary>
    public static AnimatedChart GateAnimation(IReadOnlyList<(string Step, double[][] Gates)> frames, IReadOnlyList<string> rowLabels, IReadOnlyList<string>? columnLabels = null, string title = "gate activations during training")
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(rowLabels);
        if (frames.Count == 0) throw new ArgumentException("gate animation: no frames given", nameof(frames));
        GenericChart Picture(double[][] z) => Plot.Heatmap(z, columnLabels, rowLabels, "Viridis", zMin: 0, zMax: 1, firstRowOnTop: true);
        var names = frames.Select(f => f.Step).ToArray();
        var first = LayoutEdit.Layout(Picture(frames[0].Gates).WithTitle(title).WithSize(900, 420), l =>
        {
            var play = new Dictionary<string, object>
            {
                ["label"] = "▶ play", ["method"] = "animate",
                ["args"] = new object?[] { null, new Dictionary<string, object> { ["frame"] = new Dictionary<string, object> { ["duration"] = 400, ["redraw"] = true }, ["fromcurrent"] = true } },
            };
            l.SetProperty("updatemenus", new[] { new Dictionary<string, object> { ["type"] = "buttons", ["showactive"] = false, ["x"] = 0, ["y"] = -0.15, ["xanchor"] = "left", ["buttons"] = new[] { play } } });
            l.SetProperty("sliders", new[]
            {
                new Dictionary<string, object>
                {
                    ["x"] = 0.12, ["len"] = 0.88, ["y"] = -0.1,
                    ["currentvalue"] = new Dictionary<string, object> { ["prefix"] = "after " },
                    ["steps"] = names.Select(n => new Dictionary<string, object>
                    {
                        ["label"] = n, ["method"] = "animate",
                        ["args"] = new object[] { new[] { n }, new Dictionary<string, object> { ["mode"] = "immediate", ["frame"] = new Dictionary<string, object> { ["duration"] = 0, ["redraw"] = true } } },
                    }).ToArray(),
                },
            });
        });
        return new AnimatedChart(first, frames.Select(f => (f.Step, Picture(f.Gates))).ToList());
    }
}
