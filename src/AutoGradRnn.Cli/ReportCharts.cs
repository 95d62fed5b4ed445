using AutoGradRnn.Display;
using Plotly.NET;

namespace AutoGradRnn.Cli;

/// <summary>The charts of the applications' reports, drawn by <see cref="ModelCharts"/> from their data.</summary>
internal static class ReportCharts
{
    public static GenericChart Chart(this ForecastReport report) =>
        ModelCharts.Forecast(report.Actual, report.Forecast, report.Baselines, report.Target, report.Horizon);

    /// <summary>Training and validation bpc against the step, with the n-gram baseline's validation bpc as a line.</summary>
    public static GenericChart Chart(this CharTrainingReport report, string title) =>
        ModelCharts.CharModelCurve(report.StepLosses, report.Curve.Select(p => (p.Step, p.ValidationBitsPerCharacter)).ToList(),
            report.NGram is { } n ? $"{n.Order}-gram baseline (k = {n.K}), validation" : "", report.NGram?.BitsPerCharacter ?? double.NaN, title);

    public static GenericChart Chart(this ClassificationReport report) =>
        ModelCharts.Confusion(report.Confusion, report.Labels, report.Accuracy, report.MajorityAccuracy);

    public static GenericChart Chart(this IReadOnlyList<LongMemoryResult> results, string title, string metric) =>
        ModelCharts.GapCurves(results.Select(r => (r.Cell, r.Init, r.Gap, r.Metric)), title, metric);
}
