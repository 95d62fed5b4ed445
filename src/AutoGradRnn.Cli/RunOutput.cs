using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace AutoGradRnn.Cli;

/// <summary>Per-run outputs: a folder with results.json and chart.html, each written atomically.</summary>
internal static class RunOutput
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },   // "Task": "Adding", not 1
    };

    /// <summary>The files <see cref="Write"/> puts in the folder (checked before a run by <see cref="CliPaths"/>).</summary>
    public static readonly string[] Files = ["results.json", "chart.html", "resume.safetensors"];

    public static void Write(IAnsiConsole console, string folder, object results, Plotly.NET.GenericChart chart, string title)
    {
        Directory.CreateDirectory(folder);
        var json = JsonSerializer.SerializeToUtf8Bytes(results, results.GetType(), Json);
        AtomicFile.Write(Path.Combine(folder, "results.json"), s => s.Write(json));
        var html = $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/><title>{System.Net.WebUtility.HtmlEncode(title)}</title></head>
            <body style="font-family:sans-serif;max-width:1100px;margin:auto">
            <h2>{System.Net.WebUtility.HtmlEncode(title)}</h2>
            {AutoGradRnn.Display.ChartHtml.Fragment(chart)}
            </body></html>
            """;
        AtomicFile.Write(Path.Combine(folder, "chart.html"), s => s.Write(Encoding.UTF8.GetBytes(html)));
        console.MarkupLine($"[grey]results: {Markup.Escape(Path.Combine(folder, "results.json"))}, chart: {Markup.Escape(Path.Combine(folder, "chart.html"))}[/]");
    }
}

/// <summary>
/// Training progress: a Spectre.Console bar with loss, speed and ETA on an interactive terminal; on a pipe or in CI,
/// a plain line every tenth of the run.
/// </summary>
internal static class ProgressView
{
    /// <summary>A cross-entropy loss shown in bits per character (loss / ln 2), the unit train-char's results use.</summary>
    public static string BitsPerCharacter(double loss) => $"train {Metrics.BitsPerCharacter(loss):F3} bpc";

    public static T Run<T>(IAnsiConsole console, string title, string unit, Func<IProgress<TrainingProgress>, T> work, Func<double, string>? loss = null)
    {
        loss ??= l => $"loss {l:F4}";
        if (console.Profile.Capabilities.Interactive)
        {
            T result = default!;
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(title);
                    result = work(new ProgressCallback<TrainingProgress>(p =>
                    {
                        task.MaxValue = p.TotalSteps;
                        task.Value = p.Step;
                        task.Description = $"{title}: {loss(p.Loss)}, {p.ItemsPerSecond:N0} {unit}/s";
                    }));
                });
            return result;
        }
        long lastTenth = -1;
        return work(new ProgressCallback<TrainingProgress>(p =>
        {
            long tenth = p.Step * 10 / Math.Max(p.TotalSteps, 1);
            if (tenth == lastTenth && p.Step != p.TotalSteps) return;
            lastTenth = tenth;
            var eta = p.ItemsPerSecond > 0 && p.Step > 0 ? TimeSpan.FromSeconds(p.Elapsed.TotalSeconds * (p.TotalSteps - p.Step) / p.Step) : TimeSpan.Zero;
            console.WriteLine($"{title}: step {p.Step}/{p.TotalSteps}, {loss(p.Loss)}, grad norm {p.GradientNorm:F2}, {p.ItemsPerSecond:N0} {unit}/s, ETA {eta:hh\\:mm\\:ss}");
        }));
    }
}
