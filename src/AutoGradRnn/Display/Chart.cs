using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AutoGradRnn;

/// <summary>
/// A plotly.js figure (<c>{"data": [...], "layout": {...}}</c>) built through an API shaped like Plotly.NET's
/// (<c>Chart.Line</c>, <c>Chart.Heatmap</c>, <c>Chart.Combine</c>, <c>WithTitle</c>…), so moving to Plotly.NET later is
/// mechanical. Immutable: every <c>With…</c> returns a new chart. Displays as HTML in notebooks and on the docs
/// site; the HTML loads plotly.js from its CDN only when the page has not loaded it already.
/// </summary>
[TypeFormatterSource(typeof(FormatterSource))]
public sealed class Chart
{
    /// <summary>The plotly.js version whose CDN copy a notebook loads when the page has no plotly.js.</summary>
    public const string PlotlyCdn = "https://cdn.plot.ly/plotly-2.35.2.min.js";

    private readonly JsonArray data;
    private readonly JsonObject layout;

    private Chart(JsonArray data, JsonObject layout) { this.data = data; this.layout = layout; }

    private static Chart Of(JsonObject trace) => new(new JsonArray(trace), new JsonObject());

    private static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => double.IsFinite(v) ? JsonValue.Create(v) : null).ToArray<JsonNode?>());

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static void CheckLengths(string chart, int x, int y)
    {
        if (x != y) throw new ArgumentException($"{chart}: {x} x values but {y} y values");
    }

    /// <summary>A line through the points (x, y).</summary>
    public static Chart Line(IEnumerable<double> x, IEnumerable<double> y, string name = "", bool showMarkers = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var (xs, ys) = (x.ToArray(), y.ToArray());
        CheckLengths("line", xs.Length, ys.Length);
        return Of(new JsonObject { ["type"] = "scatter", ["mode"] = showMarkers ? "lines+markers" : "lines", ["x"] = Numbers(xs), ["y"] = Numbers(ys), ["name"] = name });
    }

    /// <summary>A line through y against 0, 1, 2, … .</summary>
    public static Chart Line(IEnumerable<double> y, string name = "")
    {
        ArgumentNullException.ThrowIfNull(y);
        var ys = y.ToArray();
        return Line(Enumerable.Range(0, ys.Length).Select(i => (double)i), ys, name);
    }

    /// <summary>Markers at the points (x, y).</summary>
    public static Chart Point(IEnumerable<double> x, IEnumerable<double> y, string name = "")
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var (xs, ys) = (x.ToArray(), y.ToArray());
        CheckLengths("point", xs.Length, ys.Length);
        return Of(new JsonObject { ["type"] = "scatter", ["mode"] = "markers", ["x"] = Numbers(xs), ["y"] = Numbers(ys), ["name"] = name });
    }

    /// <summary>Bars of height <paramref name="values"/> at the category <paramref name="keys"/>.</summary>
    public static Chart Column(IEnumerable<string> keys, IEnumerable<double> values, string name = "")
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        var (k, v) = (keys.ToArray(), values.ToArray());
        CheckLengths("column", k.Length, v.Length);
        return Of(new JsonObject { ["type"] = "bar", ["x"] = Strings(k), ["y"] = Numbers(v), ["name"] = name });
    }

    /// <summary>
    /// A heatmap of rows <paramref name="z"/> (z[row][column]), with optional column and row labels. Cells sit at
    /// integer positions with the labels as tick text, so repeated labels (the same character twice in a text) stay
    /// separate columns and every label is shown. <paramref name="firstRowOnTop"/> draws row 0 at the top, as a matrix reads.
    /// </summary>
    public static Chart Heatmap(IEnumerable<IEnumerable<double>> z, IEnumerable<string>? columnLabels = null, IEnumerable<string>? rowLabels = null,
        string colorScale = "RdBu", bool reverseScale = false, double? zMin = null, double? zMax = null, bool firstRowOnTop = false)
    {
        ArgumentNullException.ThrowIfNull(z);
        var rows = z.Select(r => r.ToArray()).ToArray();
        if (rows.Length > 0 && rows.Any(r => r.Length != rows[0].Length))
            throw new ArgumentException($"heatmap: rows have different lengths ({string.Join(", ", rows.Select(r => r.Length).Distinct())})");
        var trace = new JsonObject
        {
            ["type"] = "heatmap", ["z"] = new JsonArray(rows.Select(r => (JsonNode?)Numbers(r)).ToArray()),
            ["colorscale"] = colorScale, ["reversescale"] = reverseScale,
        };
        if (zMin is double lo) trace["zmin"] = lo;
        if (zMax is double hi) trace["zmax"] = hi;
        var layout = new JsonObject();
        if (columnLabels?.ToArray() is { } cols) layout["xaxis"] = Ticks(cols, rows.FirstOrDefault()?.Length ?? 0, "column");
        if (rowLabels?.ToArray() is { } rl) layout["yaxis"] = Ticks(rl, rows.Length, "row");
        if (firstRowOnTop) ((JsonObject)(layout["yaxis"] ??= new JsonObject()))["autorange"] = "reversed";
        return new Chart(new JsonArray(trace), layout);
    }

    private static JsonObject Ticks(string[] labels, int count, string what)
    {
        if (labels.Length != count) throw new ArgumentException($"heatmap: {labels.Length} {what} labels for {count} {what}s");
        return new JsonObject
        {
            ["tickmode"] = "array", ["tickvals"] = Numbers(Enumerable.Range(0, count).Select(i => (double)i)), ["ticktext"] = Strings(labels),
        };
    }

    /// <summary>A heatmap of a rank-2 tensor (rows × columns).</summary>
    public static Chart Heatmap<T>(Tensor<T> matrix, IEnumerable<string>? columnLabels = null, IEnumerable<string>? rowLabels = null, string colorScale = "RdBu",
        double? zMin = null, double? zMax = null, bool firstRowOnTop = false)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Rank != 2) throw new ShapeMismatchException("heatmap", "needs a matrix (rank 2)", matrix.Shape);
        int c = matrix.Shape[1];
        var values = matrix.ToArray().Select(v => double.CreateTruncating(v)).ToArray();
        return Heatmap(Enumerable.Range(0, matrix.Shape[0]).Select(r => values.Skip(r * c).Take(c)), columnLabels, rowLabels, colorScale, false, zMin, zMax, firstRowOnTop);
    }

    /// <summary>All traces of <paramref name="charts"/> on one set of axes; the first chart's layout wins.</summary>
    public static Chart Combine(IEnumerable<Chart> charts)
    {
        ArgumentNullException.ThrowIfNull(charts);
        var list = charts.ToList();
        if (list.Count == 0) throw new ArgumentException("combine: no charts given", nameof(charts));
        var combined = new JsonArray(list.SelectMany(c => c.data.Select(t => t!.DeepClone())).ToArray());
        return new Chart(combined, (JsonObject)list[0].layout.DeepClone());
    }

    /// <summary>Subplots: chart i goes to row i / <paramref name="columns"/>, column i % <paramref name="columns"/>, each on its own axes.</summary>
    public static Chart Grid(int rows, int columns, IEnumerable<Chart> charts)
    {
        ArgumentNullException.ThrowIfNull(charts);
        var list = charts.ToList();
        if (rows <= 0 || columns <= 0 || list.Count > rows * columns)
            throw new ArgumentOutOfRangeException(nameof(rows), $"grid: {list.Count} charts do not fit {rows} × {columns}");
        var data = new JsonArray();
        var layout = new JsonObject { ["grid"] = new JsonObject { ["rows"] = rows, ["columns"] = columns, ["pattern"] = "independent" } };
        for (int i = 0; i < list.Count; i++)
        {
            string suffix = i == 0 ? "" : (i + 1).ToString(CultureInfo.InvariantCulture);
            foreach (var trace in list[i].data)
            {
                var t = (JsonObject)trace!.DeepClone();
                t["xaxis"] = "x" + suffix;
                t["yaxis"] = "y" + suffix;
                data.Add(t);
            }
            foreach (var axis in new[] { "xaxis", "yaxis" })
                if (list[i].layout[axis] is JsonNode a) layout[axis + suffix] = a.DeepClone();
            if (list[i].layout["title"] is JsonObject title)   // per-subplot titles become annotations above each cell
                layout["annotations"] = AddAnnotation(layout["annotations"] as JsonArray, title["text"]?.GetValue<string>() ?? "", i, rows, columns);
        }
        return new Chart(data, layout);
    }

    private static JsonArray AddAnnotation(JsonArray? existing, string text, int index, int rows, int columns)
    {
        var list = existing ?? [];
        int r = index / columns, c = index % columns;
        list.Add(new JsonObject
        {
            ["text"] = text, ["showarrow"] = false, ["xref"] = "paper", ["yref"] = "paper",
            ["x"] = (c + 0.5) / columns, ["y"] = 1 - (double)r / rows, ["xanchor"] = "center", ["yanchor"] = "bottom",
        });
        return list;
    }

    private Chart WithLayout(Action<JsonObject> change)
    {
        var l = (JsonObject)layout.DeepClone();
        change(l);
        return new Chart((JsonArray)data.DeepClone(), l);
    }

    /// <summary>The chart's title.</summary>
    public Chart WithTitle(string title) => WithLayout(l => l["title"] = new JsonObject { ["text"] = title });

    /// <summary>The x axis' title (and optionally a log scale); other axis settings (e.g. a heatmap's ticks) are kept.</summary>
    public Chart WithXAxisStyle(string title, bool log = false) => WithLayout(l => l["xaxis"] = Axis(l["xaxis"] as JsonObject, title, log));

    /// <summary>The y axis' title (and optionally a log scale); other axis settings are kept.</summary>
    public Chart WithYAxisStyle(string title, bool log = false) => WithLayout(l => l["yaxis"] = Axis(l["yaxis"] as JsonObject, title, log));

    /// <summary>Width and height in pixels.</summary>
    public Chart WithSize(int width, int height) => WithLayout(l => { l["width"] = width; l["height"] = height; });

    /// <summary>Whether the legend shows.</summary>
    public Chart WithLegend(bool show) => WithLayout(l => l["showlegend"] = show);

    private static JsonObject Axis(JsonObject? existing, string title, bool log)
    {
        var axis = (JsonObject?)existing?.DeepClone() ?? [];
        axis["title"] = new JsonObject { ["text"] = title };
        if (log) axis["type"] = "log";
        return axis;
    }

    /// <summary>Number of traces.</summary>
    public int TraceCount => data.Count;

    /// <summary>The plotly.js figure as JSON: <c>{"data": [...], "layout": {...}}</c>.</summary>
    public string ToJson() => new JsonObject { ["data"] = data.DeepClone(), ["layout"] = layout.DeepClone() }.ToJsonString();

    /// <summary>
    /// A self-contained HTML fragment: a div and a script that draws the figure with plotly.js, loading it from
    /// the CDN if the page has not. The div id is derived from the figure, so the same chart gives the same HTML.
    /// </summary>
    public string ToHtml()
    {
        var json = ToJson();
        var id = "chart-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..12];
        int height = layout["height"]?.GetValue<int>() ?? 420;
        return $$"""
            <div id="{{id}}" class="autogradrnn-chart" style="width:100%;height:{{height}}px;"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{json}};
              var draw = function () {
                Plotly.newPlot('{{id}}', figure.data, figure.layout, { responsive: true }).then(function () {
                  window.autogradrnnChartsDrawn = (window.autogradrnnChartsDrawn || 0) + 1;
                });
              };
              if (typeof Plotly !== 'undefined') { draw(); return; }
              var s = document.createElement('script');
              s.src = '{{PlotlyCdn}}';
              s.onload = draw;
              document.head.appendChild(s);
            })();
            </script>
            """;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Chart ({data.Count} trace{(data.Count == 1 ? "" : "s")}{(layout["title"] is JsonObject t ? ": " + t["text"] : "")})";
}
