using Plotly.NET;

namespace AutoGradRnn.Display;

/// <summary>
/// Fluent styling of Plotly.NET charts with plain arguments (title text, log scale), for what Plotly.NET.CSharp 0.14
/// lacks or spells with type arguments. Each returns a new chart; settings already on an axis (e.g. a heatmap's tick
/// labels) are kept.
/// </summary>
public static class PlotStyle
{
    /// <summary>The chart's title.</summary>
    public static GenericChart WithTitle(this GenericChart chart, string title) =>
        LayoutEdit.Layout(chart, l => l.SetProperty("title", LayoutEdit.Title(title)));

    /// <summary>The x axis' title, and optionally a log scale.</summary>
    public static GenericChart WithXAxisStyle(this GenericChart chart, string title, bool log = false) => Axis(chart, "xaxis", title, log);

    /// <summary>The y axis' title, and optionally a log scale.</summary>
    public static GenericChart WithYAxisStyle(this GenericChart chart, string title, bool log = false) => Axis(chart, "yaxis", title, log);

    private static GenericChart Axis(GenericChart chart, string axis, string title, bool log) => LayoutEdit.Layout(chart, l =>
    {
        LayoutEdit.Set(l, axis, "title", LayoutEdit.Title(title));
        if (log) LayoutEdit.Set(l, axis, "type", "log");
    });

    /// <summary>Width and height in pixels.</summary>
    public static GenericChart WithSize(this GenericChart chart, int width, int height) => LayoutEdit.Layout(chart, l =>
    {
        l.SetProperty("width", width);
        l.SetProperty("height", height);
    });

    /// <summary>Whether the legend shows.</summary>
    public static GenericChart WithLegend(this GenericChart chart, bool show) => LayoutEdit.Layout(chart, l => l.SetProperty("showlegend", show));
}
