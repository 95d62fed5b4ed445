using AutoGradRnn.Display;
using Plotly.NET;

namespace AutoGradRnn.Cli;

/// <summary>The charts of the applications' reports, drawn by <see cref="ModelCharts"/> from their data.</summary>
internal static class ReportCharts
{
    public static GenericChart Chart(this ForecastReport report) =>
        ModelCharts.Forecast(report.Actual, report.Forecast, report.Baselines, report.Target, report.Horizon);

    public static GenericChart Chart(this ClassificationReport report) =>
        ModelCharts.Confusion(report.Confusion, report.Labels, report.Accuracy, report.MajorityAccuracy);

    public static GenericChart Chart(this IReadOnlyList<LongMemoryResult> results, string title, string metric) =>
        ModelCharts.GapCurves(results.Select(r => (r.Cell, r.Init, r.Gap, r.Metric)), title, metric);
}
