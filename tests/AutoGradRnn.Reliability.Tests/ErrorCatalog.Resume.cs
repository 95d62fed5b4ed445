namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    /// <summary>E70–E79: interrupted and resumed runs.</summary>
    private static IReadOnlyList<ErrorCase> ResumeCases { get; } =
    [
    ];
}
