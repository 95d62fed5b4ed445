namespace AutoGradRnn.TestSupport;

/// <summary>The repository's root, found by walking up from the test binaries to AutoGradRnn.sln (shared by the test projects).</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "AutoGradRnn.sln"))) return dir.FullName;
        throw new InvalidOperationException("AutoGradRnn.sln not found above " + AppContext.BaseDirectory);
    }
}
