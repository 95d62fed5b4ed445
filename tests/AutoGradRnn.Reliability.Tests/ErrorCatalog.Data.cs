namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    /// <summary>E100–E129: data integrity (text, time series, CSV, checkpoint metadata).</summary>
    private static IReadOnlyList<ErrorCase> DataCases { get; } =
    [
    ];
}
