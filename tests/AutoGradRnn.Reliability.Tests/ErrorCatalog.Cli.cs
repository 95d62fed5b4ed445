namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    /// <summary>E80–E99: the command line boundary (output paths, exceptions, messages).</summary>
    private static IReadOnlyList<ErrorCase> CliCases { get; } =
    [
    ];
}
