namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    /// <summary>E130–E139: library checks (parameter trees, cell states, metrics).</summary>
    private static IReadOnlyList<ErrorCase> LibraryCases { get; } =
    [
    ];
}
