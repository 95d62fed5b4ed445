using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Plotly.NET;

namespace AutoGradRnn.Display;

/// <summary>
/// The HTML a chart displays as, in notebooks, on the docs site and in the CLI's chart.html. The fragment draws with
/// the page's plotly.js when there is one (the docs site ships its own copy, so it works offline) and loads plotly.js
/// from its CDN otherwise (Jupyter, VS Code).
/// <para>
/// Element ids are unique per render, so two identical charts on one page still get distinct elements. Inside a
/// render scope (<see cref="BeginScope"/>; the notebook runner opens one per cell, named after the notebook and the
/// cell) an id is <c>chart-&lt;scope&gt;-&lt;n&gt;</c>, n counting the scope's charts from 1, so rerunning a notebook
/// writes the same ids whatever ran before it in the process. Outside a scope it is
/// <c>chart-&lt;figure hash&gt;-&lt;n&gt;</c>, n counting the process's renders.
/// </para>
/// </summary>
public static class ChartHtml
{
    /// <summary>The plotly.js a notebook loads when its page has none (the version Plotly.NET 6 targets).</summary>
    public const string PlotlyCdn = "https://cdn.plot.ly/plotly-2.35.2.min.js";

    /// <summary>
    /// The <see cref="AppContext"/> data slot holding the current render scope: a string, whose characters other than
    /// letters, digits, '-' and '_' become '-' in ids. <see cref="BeginScope"/> sets it; a host that must not load this
    /// assembly itself (the notebook runner, whose notebooks #r their own copy) sets it with
    /// <c>AppContext.SetData(ScopeKey, name)</c>. Each string set starts its own count at 1, even one equal to an
    /// earlier scope's name. The slot is process-wide, like the kernel a notebook runs in: one scope at a time.
    /// </summary>
    public const string ScopeKey = "AutoGradRnn.Display.ChartScope";

    private static int renders;
    private static readonly ConditionalWeakTable<object, StrongBox<int>> scopeRenders = [];

    /// <summary>The current render scope (see <see cref="ScopeKey"/>), or null.</summary>
    public static string? CurrentScope => AppContext.GetData(ScopeKey) as string;

    /// <summary>
    /// Opens a render scope named <paramref name="name"/> (e.g. <c>03-lstm-step-by-step-c12</c>): charts rendered until
    /// the returned object is disposed get ids <c>chart-&lt;name&gt;-1</c>, <c>-2</c>, … Disposing restores the scope
    /// that was current before.
    /// </summary>
    public static IDisposable BeginScope(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var previous = AppContext.GetData(ScopeKey);
        AppContext.SetData(ScopeKey, new string(name.AsSpan()));   // a fresh string: a fresh count
        return new ScopeRestorer(previous);
    }

    private sealed class ScopeRestorer(object? previous) : IDisposable
    {
        private int disposed;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) AppContext.SetData(ScopeKey, previous);
        }
    }

    /// <summary>The plotly.js figure <c>{"data", "layout", "frames"}</c> of a Plotly.NET chart, as JSON.</summary>
    public static string FigureJson(GenericChart chart) => GenericChart.toFigureJson(chart);

    /// <summary>A self-contained HTML fragment drawing <paramref name="chart"/>.</summary>
    public static string Fragment(GenericChart chart) => Fragment(FigureJson(chart), "null");

    /// <summary>A fragment drawing <paramref name="chart"/> and then adding its frames, so its play button and slider animate.</summary>
    public static string Fragment(AnimatedChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var frames = new JsonArray();
        foreach (var (name, frame) in chart.Frames)
        {
            var data = JsonNode.Parse(FigureJson(frame))!["data"]!.DeepClone();
            frames.Add(new JsonObject { ["name"] = name, ["data"] = data });
        }
        return Fragment(FigureJson(chart.Chart), frames.ToJsonString());
    }

    private static string NextId(string content)
    {
        if (AppContext.GetData(ScopeKey) is string { Length: > 0 } scope)
        {
            var count = scopeRenders.GetValue(scope, _ => new StrongBox<int>());
            var name = string.Concat(scope.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-'));
            return $"chart-{name}-{Interlocked.Increment(ref count.Value)}";
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..12];
        return $"chart-{hash}-{Interlocked.Increment(ref renders)}";
    }

    private static string Fragment(string figureJson, string framesJson)
    {
        var id = NextId(figureJson + framesJson);
        int height = (int?)JsonNode.Parse(figureJson)!["layout"]?["height"] ?? 450;
        return $$"""
            <div id="{{id}}" class="autogradrnn-chart" style="width:100%;height:{{height}}px;"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{figureJson}};
              var frames = {{framesJson}};
              var draw = function () {
                Plotly.newPlot('{{id}}', figure.data, figure.layout, { responsive: true })
                  .then(function (gd) { return frames ? Plotly.addFrames(gd, frames) : gd; })
                  .then(function () { window.autogradrnnChartsDrawn = (window.autogradrnnChartsDrawn || 0) + 1; });
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
}
