using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Plotly.NET;

namespace AutoGradRnn.Display;

/// <summary>
/// The HTML a chart displays as, in notebooks, on the docs site and in the CLI's chart.html. The fragment draws with
/// the page's plotly.js when there is one (the docs site ships its own copy, so it works offline) and loads plotly.js
/// from its CDN otherwise (Jupyter, VS Code). Ids come from the figure and a per-process render count, so a rerun
/// writes the same HTML and two identical charts on one page still get distinct elements.
/// </summary>
public static class ChartHtml
{
    /// <summary>The plotly.js a notebook loads when its page has none (the version Plotly.NET 6 targets).</summary>
    public const string PlotlyCdn = "https://cdn.plot.ly/plotly-2.35.2.min.js";

    private static int renders;

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

    private static string Fragment(string figureJson, string framesJson)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(figureJson + framesJson)))[..12];
        var id = $"chart-{hash}-{Interlocked.Increment(ref renders)}";
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
