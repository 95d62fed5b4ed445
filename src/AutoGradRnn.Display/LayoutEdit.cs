using DynamicObj;
using Plotly.NET;

namespace AutoGradRnn.Display;

/// <summary>
/// Immutable edits of a Plotly.NET chart's layout and traces at the level of plotly.js attributes (what
/// <c>toFigureJson</c> writes), for the few settings Plotly.NET.CSharp 0.14 does not expose (tick text, log axes on
/// an existing axis, sliders, zmin/zmax). Every edit deep-copies first, so the input chart is never changed.
/// </summary>
internal static class LayoutEdit
{
    /// <summary>A copy of <paramref name="chart"/> whose layout went through <paramref name="change"/>.</summary>
    public static GenericChart Layout(GenericChart chart, Action<DynamicObj.DynamicObj> change)
    {
        var layout = Copy(GenericChart.getLayout(chart), new Layout());
        change(layout);
        return GenericChart.setLayout(layout, chart);
    }

    /// <summary>A copy of <paramref name="chart"/> with every trace changed by <paramref name="change"/> (given the trace's index).</summary>
    public static GenericChart Traces(GenericChart chart, Action<int, DynamicObj.DynamicObj> change) =>
        GenericChart.mapiTrace(Microsoft.FSharp.Core.FuncConvert.FromFunc<int, Trace, Trace>((i, t) =>
        {
            var copy = Copy(t, (Trace)Activator.CreateInstance(t.GetType(), t.type)!);
            change(i, copy);
            return copy;
        }), chart);

    // DeepCopyProperties returns a plain DynamicObj; Plotly.NET needs its own Layout and Trace types back.
    private static T Copy<T>(T source, T target) where T : DynamicObj.DynamicObj
    {
        source.DeepCopyPropertiesTo(target, null, null);
        return target;
    }

    /// <summary>
    /// Sets <paramref name="key"/> inside the object at <paramref name="path"/> (e.g. "xaxis"), creating it if absent.
    /// The object is replaced by an edited copy (copies of a layout share nested objects); axes stay Plotly.NET axes.
    /// </summary>
    public static void Set(DynamicObj.DynamicObj layout, string path, string key, object value)
    {
        var target = path is "xaxis" or "yaxis" ? new Plotly.NET.LayoutObjects.LinearAxis() : new DynamicObj.DynamicObj();
        switch (layout.TryGetPropertyValue(path) is { } existing ? existing.Value : null)
        {
            case DynamicObj.DynamicObj d:
                d.DeepCopyPropertiesTo(target, null, null);
                break;
            case IDictionary<string, object> map:
                foreach (var (k, v) in map) target.SetProperty(k, v);
                break;
        }
        target.SetProperty(key, value);
        layout.SetProperty(path, target);
    }

    /// <summary>A plotly.js title object.</summary>
    public static Dictionary<string, object> Title(string text) => new() { ["text"] = text };
}
