using System.Numerics;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace AutoGradRnn.Display;

/// <summary>
/// Short constructors for the charts the notebooks draw most, each returning a Plotly.NET <see cref="GenericChart"/>
/// (so everything Plotly.NET and Plotly.NET.CSharp offer still applies). Names and arguments follow Plotly.NET's:
/// <c>Plot.Line(x, y, name)</c> is <c>Chart.Line&lt;double, double, string&gt;(x, y, Name: name)</c> without the type arguments.
/// </summary>
public static class Plot
{
    private static void SameLength(string chart, int x, int y)
    {
        if (x != y) throw new ArgumentException($"{chart}: {x} x values but {y} y values");
    }

    /// <summary>A line through the points (x, y).</summary>
    public static GenericChart Line(IEnumerable<double> x, IEnumerable<double> y, string name = "", bool showMarkers = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var (xs, ys) = (x.ToArray(), y.ToArray());
        SameLength("line", xs.Length, ys.Length);
        return CSharpChart.Line<double, double, string>(xs, ys, ShowMarkers: showMarkers, Name: name);
    }

    /// <summary>A line through y against 0, 1, 2, … .</summary>
    public static GenericChart Line(IEnumerable<double> y, string name = "")
    {
        ArgumentNullException.ThrowIfNull(y);
        var ys = y.ToArray();
        return Line(Enumerable.Range(0, ys.Length).Select(i => (double)i), ys, name);
    }

    /// <summary>Markers at the points (x, y).</summary>
    public static GenericChart Point(IEnumerable<double> x, IEnumerable<double> y, string name = "")
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var (xs, ys) = (x.ToArray(), y.ToArray());
        SameLength("point", xs.Length, ys.Length);
        return CSharpChart.Point<double, double, string>(xs, ys, Name: name);
    }

    /// <summary>Bars of height <paramref name="values"/> at the category <paramref name="keys"/>.</summary>
    public static GenericChart Column(IEnumerable<string> keys, IEnumerable<double> values, string name = "")
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        var (k, v) = (keys.ToArray(), values.ToArray());
        SameLength("column", k.Length, v.Length);
        return CSharpChart.Column<double, string, string>(v, Keys: k, Name: name);
    }

    /// <summary>
    /// A heatmap of rows <paramref name="z"/> (z[row][column]), with optional column and row labels. Cells sit at
    /// integer positions with the labels as tick text, so repeated labels (the same character twice in a text) stay
    /// separate columns and every label is shown. <paramref name="firstRowOnTop"/> draws row 0 at the top, as a matrix reads.
    /// </summary>
    public static GenericChart Heatmap(IEnumerable<IEnumerable<double>> z, IEnumerable<string>? columnLabels = null, IEnumerable<string>? rowLabels = null,
        string colorScale = "RdBu", bool reverseScale = false, double? zMin = null, double? zMax = null, bool firstRowOnTop = false)
    {
        ArgumentNullException.ThrowIfNull(z);
        var rows = z.Select(r => r.ToArray()).ToArray();
        if (rows.Length > 0 && rows.Any(r => r.Length != rows[0].Length))
            throw new ArgumentException($"heatmap: rows have different lengths ({string.Join(", ", rows.Select(r => r.Length).Distinct())})");
        var cols = columnLabels?.ToArray();
        var rl = rowLabels?.ToArray();
        if (cols is not null && cols.Length != (rows.FirstOrDefault()?.Length ?? 0))
            throw new ArgumentException($"heatmap: {cols.Length} column labels for {rows.FirstOrDefault()?.Length ?? 0} columns");
        if (rl is not null && rl.Length != rows.Length)
            throw new ArgumentException($"heatmap: {rl.Length} row labels for {rows.Length} rows");
        var chart = CSharpChart.Heatmap<double, int, int, string>(rows, ReverseScale: reverseScale);
        chart = LayoutEdit.Traces(chart, (_, t) =>
        {
            t.SetProperty("colorscale", colorScale);
            if (zMin is double lo) t.SetProperty("zmin", lo);
            if (zMax is double hi) t.SetProperty("zmax", hi);
        });
        return LayoutEdit.Layout(chart, l =>
        {
            if (cols is not null) Ticks(l, "xaxis", cols);
            if (rl is not null) Ticks(l, "yaxis", rl);
            if (firstRowOnTop) LayoutEdit.Set(l, "yaxis", "autorange", "reversed");
        });
    }

    private static void Ticks(DynamicObj.DynamicObj layout, string axis, string[] labels)
    {
        LayoutEdit.Set(layout, axis, "tickmode", "array");
        LayoutEdit.Set(layout, axis, "tickvals", Enumerable.Range(0, labels.Length).ToArray());
        LayoutEdit.Set(layout, axis, "ticktext", labels);
    }

    /// <summary>A heatmap of a rank-2 tensor (rows × columns).</summary>
    public static GenericChart Heatmap<T>(Tensor<T> matrix, IEnumerable<string>? columnLabels = null, IEnumerable<string>? rowLabels = null, string colorScale = "RdBu",
        double? zMin = null, double? zMax = null, bool firstRowOnTop = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Rank != 2) throw new ShapeMismatchException("heatmap", "needs a matrix (rank 2)", matrix.Shape);
        int c = matrix.Shape[1];
        var values = matrix.ToArray().Select(v => double.CreateTruncating(v)).ToArray();
        return Heatmap(Enumerable.Range(0, matrix.Shape[0]).Select(r => values.Skip(r * c).Take(c)), columnLabels, rowLabels, colorScale, false, zMin, zMax, firstRowOnTop);
    }

    /// <summary>All traces of <paramref name="charts"/> on one set of axes (Plotly.NET's <c>Chart.Combine</c>).</summary>
    public static GenericChart Combine(IEnumerable<GenericChart> charts)
    {
        ArgumentNullException.ThrowIfNull(charts);
        var list = charts.ToList();
        if (list.Count == 0) throw new ArgumentException("combine: no charts given", nameof(charts));
        return CSharpChart.Combine(list);
    }

    /// <summary>Subplots (Plotly.NET's <c>Chart.Grid</c>): chart i goes to row i / <paramref name="columns"/>, column i % <paramref name="columns"/>.</summary>
    public static GenericChart Grid(int rows, int columns, IEnumerable<GenericChart> charts)
    {
        ArgumentNullException.ThrowIfNull(charts);
        var list = charts.ToList();
        if (rows <= 0 || columns <= 0 || list.Count > rows * columns)
            throw new ArgumentOutOfRangeException(nameof(rows), $"grid: {list.Count} charts do not fit {rows} × {columns}");
        var titles = list.Select(c => GenericChart.getLayout(c).TryGetPropertyValue("title") is { } t && t.Value is Dictionary<string, object> d ? (string)d["text"] : "").ToArray();
        return CSharpChart.Grid(list, rows, columns, SubPlotTitles: titles);
    }
}
