using Plotly.NET;

namespace AutoGradRnn.Display;

/// <summary>
/// A Plotly.NET chart with plotly.js animation frames: <see cref="Chart"/> is drawn first (with its play button and
/// slider), and each frame replaces the traces' data by the data of its own Plotly.NET chart. Plotly.NET 6 builds
/// no frames itself, so this pairs its charts with plotly.js' <c>frames</c> list.
/// </summary>
/// <param name="Chart">The first picture, with the layout (buttons, slider, axes) of the whole animation.</param>
/// <param name="Frames">Named frames; each chart must have as many traces as <paramref name="Chart"/>.</param>
public sealed record AnimatedChart(GenericChart Chart, IReadOnlyList<(string Name, GenericChart Frame)> Frames)
{
    /// <inheritdoc/>
    public override string ToString() => $"AnimatedChart ({Frames.Count} frames)";
}
