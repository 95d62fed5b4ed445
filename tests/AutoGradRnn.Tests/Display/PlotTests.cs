using System.Text.Json.Nodes;
using AutoGradRnn.Display;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace AutoGradRnn.Tests;

/// <summary>The display assembly: Plot helpers build the plotly.js figures they say, styling never mutates, HTML ids are unique, notebooks format charts as HTML.</summary>
public class PlotTests
{
    private static JsonNode Figure(GenericChart chart) => JsonNode.Parse(ChartHtml.FigureJson(chart))!;

    [Fact]
    public void Line_column_and_point_carry_their_data_and_names()
    {
        var f = Figure(Plot.Combine([Plot.Line([1.0, 2, 3], [4.0, 5, 6], "a"), Plot.Column(["x", "y"], [1.0, 2], "b"), Plot.Point([0.5], [0.25], "c")]));
        var data = f["data"]!.AsArray();
        Assert.Equal(["scatter", "bar", "scatter"], data.Select(t => (string)t!["type"]!));
        Assert.Equal(["a", "b", "c"], data.Select(t => (string)t!["name"]!));
        Assert.Equal([4.0, 5, 6], data[0]!["y"]!.AsArray().Select(v => (double)v!));
        Assert.Equal("markers", (string)data[2]!["mode"]!);
        Assert.Equal(["x", "y"], data[1]!["x"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void Heatmap_puts_cells_at_integer_positions_with_repeated_labels_kept()
    {
        var f = Figure(Plot.Heatmap([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], columnLabels: ["a", "a", "b"], rowLabels: ["r0", "r1"], zMin: 0, zMax: 1, firstRowOnTop: true));
        var trace = f["data"]![0]!;
        Assert.Equal("heatmap", (string)trace["type"]!);
        Assert.Equal(0.0, (double)trace["zmin"]!);
        Assert.Equal(1.0, (double)trace["zmax"]!);
        var x = f["layout"]!["xaxis"]!;
        Assert.Equal([0, 1, 2], x["tickvals"]!.AsArray().Select(v => (int)v!));
        Assert.Equal(["a", "a", "b"], x["ticktext"]!.AsArray().Select(v => (string)v!));
        Assert.Equal("reversed", (string)f["layout"]!["yaxis"]!["autorange"]!);
    }

    [Fact]
    public void Heatmap_of_a_tensor_reads_rows_and_columns()
    {
        var f = Figure(Plot.Heatmap(Tensor.FromRows([1.0, 2.0], [3.0, 4.0], [5.0, 6.0])));
        var z = f["data"]![0]!["z"]!.AsArray();
        Assert.Equal(3, z.Count);
        Assert.Equal([5.0, 6.0], z[2]!.AsArray().Select(v => (double)v!));
    }

    [Fact]
    public void Styling_returns_a_new_chart_and_keeps_axis_settings()
    {
        var heat = Plot.Heatmap([[1.0, 2.0]], columnLabels: ["p", "q"]);
        var styled = heat.WithTitle("t").WithXAxisStyle("x title", log: true).WithSize(640, 320).WithLegend(false);
        var f = Figure(styled);
        Assert.Equal("t", (string)f["layout"]!["title"]!["text"]!);
        Assert.Equal("x title", (string)f["layout"]!["xaxis"]!["title"]!["text"]!);
        Assert.Equal("log", (string)f["layout"]!["xaxis"]!["type"]!);
        Assert.Equal(["p", "q"], f["layout"]!["xaxis"]!["ticktext"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(640, (int)f["layout"]!["width"]!);
        var original = Figure(heat);
        Assert.Null(original["layout"]!["title"]);
        Assert.Null(original["layout"]!["xaxis"]!["type"]);
    }

    [Fact]
    public void Bad_inputs_name_the_chart_and_the_mismatch()
    {
        Assert.Equal("line: 2 x values but 3 y values", Assert.Throws<ArgumentException>(() => Plot.Line([1.0, 2], [1.0, 2, 3])).Message);
        Assert.Equal("heatmap: rows have different lengths (2, 1)", Assert.Throws<ArgumentException>(() => Plot.Heatmap([[1.0, 2], [3.0]])).Message);
        Assert.Equal("heatmap: 1 column labels for 2 columns", Assert.Throws<ArgumentException>(() => Plot.Heatmap([[1.0, 2]], columnLabels: ["a"])).Message);
        Assert.Throws<ShapeMismatchException>(() => Plot.Heatmap(Tensor.Zeros<double>(2, 2, 2)));
        Assert.Throws<ArgumentException>(() => Plot.Combine([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Plot.Grid(1, 1, [Plot.Line([1.0]), Plot.Line([2.0])]));
    }

    [Fact]
    public void Forget_gate_decay_draws_sigma_of_the_bias_to_the_power_t_and_a_slider_that_switches_curves()
    {
        double[] biases = [-1, 0, 2];
        var f = Figure(ModelCharts.ForgetGateDecay(biases, steps: 10));
        var data = f["data"]!.AsArray();
        Assert.Equal(3, data.Count);
        for (int i = 0; i < biases.Length; i++)
        {
            double sigma = 1 / (1 + Math.Exp(-biases[i]));
            var y = data[i]!["y"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(11, y.Length);
            for (int t = 0; t <= 10; t++) Assert.Equal(Math.Pow(sigma, t), y[t], 12);
        }
        Assert.Equal([false, true, false], data.Select(t => (bool)t!["visible"]!));
        var steps = f["layout"]!["sliders"]![0]!["steps"]!.AsArray();
        Assert.Equal(3, steps.Count);
        Assert.Equal("restyle", (string)steps[2]!["method"]!);
        Assert.Equal([false, false, true], steps[2]!["args"]![1]!.AsArray().Select(v => (bool)v!));
    }

    [Fact]
    public void Gate_animation_has_one_frame_per_step_with_its_own_data()
    {
        var frames = new List<(string, double[][])> { ("0", [[0.5, 0.5]]), ("10", [[0.1, 0.9]]) };
        var animated = ModelCharts.GateAnimation(frames, ["unit 0"], ["a", "b"]);
        Assert.Equal(2, animated.Frames.Count);
        Assert.Equal([0.1, 0.9], Figure(animated.Frames[1].Frame)["data"]![0]!["z"]![0]!.AsArray().Select(v => (double)v!));
        var html = ChartHtml.Fragment(animated);
        Assert.Contains("Plotly.addFrames", html);
        Assert.Contains("\"name\":\"10\"", html);
        var layout = Figure(animated.Chart)["layout"]!;
        Assert.Equal("animate", (string)layout["updatemenus"]![0]!["buttons"]![0]!["method"]!);
        Assert.Equal(2, layout["sliders"]![0]!["steps"]!.AsArray().Count);
    }

    private static string Id(string html) => html[(html.IndexOf("id=\"", StringComparison.Ordinal) + 4)..].Split('"')[0];

    [Fact]
    public void Html_ids_are_unique_per_render_and_plotly_is_loaded_only_when_missing()
    {
        var chart = Plot.Line([1.0, 2.0]);
        var (a, b) = (ChartHtml.Fragment(chart), ChartHtml.Fragment(chart));
        Assert.NotEqual(Id(a), Id(b));
        Assert.Matches("^chart-[0-9a-f]{12}-[0-9]+$", Id(a));
        Assert.Contains("typeof Plotly !== 'undefined'", a);
        Assert.Contains(ChartHtml.PlotlyCdn, a);
    }

    /// <summary>
    /// In a render scope (the notebook runner opens one per cell) ids are the scope's name and a count from 1: the same
    /// every time the scope is opened again, whatever was rendered before. (Scoped and unscoped renders are in this one
    /// class, so no other test renders while a scope is open.)
    /// </summary>
    [Fact]
    public void Ids_in_a_render_scope_are_its_name_and_a_count_so_reruns_repeat_them()
    {
        var chart = Plot.Line([1.0, 2.0]);
        string[] Render()
        {
            using var scope = ChartHtml.BeginScope("03-lstm step.c12");
            return [Id(ChartHtml.Fragment(chart)), Id(ChartHtml.Fragment(chart))];
        }
        ChartHtml.Fragment(chart);
        var first = Render();
        Assert.Equal(["chart-03-lstm-step-c12-1", "chart-03-lstm-step-c12-2"], first);
        Assert.Equal(first, Render());
        Assert.Null(ChartHtml.CurrentScope);
        using (ChartHtml.BeginScope("outer"))
        {
            using (ChartHtml.BeginScope("inner")) Assert.Equal("chart-inner-1", Id(ChartHtml.Fragment(chart)));
            Assert.Equal("outer", ChartHtml.CurrentScope);
        }
        Assert.Matches("^chart-[0-9a-f]{12}-[0-9]+$", Id(ChartHtml.Fragment(chart)));
    }

    [Fact]
    public void Notebook_formatter_writes_charts_as_html()
    {
        NotebookDisplay.Register();
        var chart = Plot.Line([1.0, 2.0], "loss");
        var html = chart.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("class=\"autogradrnn-chart\"", html);
        Assert.Contains("\"name\":\"loss\"", html);
        Assert.Contains("text/html", Formatter.GetPreferredMimeTypesFor(typeof(GenericChart)));
    }

    [Fact]
    public void Model_charts_show_every_baseline_and_the_confusion_rows()
    {
        var report = new ForecastReport("f.csv", "load", [48], 48, 2, 4, 10, 12, [0], [1.0, 2.0], [1.1, 2.1],
            new Dictionary<string, double[]> { ["naive 48"] = [0.9, 1.9], ["naive 336"] = [1.2, 1.8] }, [], [], [], 0);
        Assert.Equal(["actual", "model", "naive 48", "naive 336"], Figure(ModelCharts.Forecast(report.Actual, report.Forecast, report.Baselines, report.Target, report.Horizon))["data"]!.AsArray().Select(t => (string)t!["name"]!));
        var classes = new ClassificationReport(["a", "b"], 10, 4, 0.75, 0.5, "a", [[2, 0], [1, 1]], [], [], 0);
        var z = Figure(ModelCharts.Confusion(classes.Confusion, classes.Labels, classes.Accuracy, classes.MajorityAccuracy))["data"]![0]!["z"]!.AsArray();
        Assert.Equal([0.5, 0.5], z[1]!.AsArray().Select(v => (double)v!));
    }
}
