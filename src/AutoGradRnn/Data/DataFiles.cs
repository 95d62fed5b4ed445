namespace AutoGradRnn;

/// <summary>
/// Finds the data sets shipped in the repository's <c>data/</c> folder, so notebooks and examples name a file
/// (<c>DataFiles.Find("moby_dick.txt")</c>) instead of a path. It looks, in order, in the folder named by the
/// <c>AUTOGRADRNN_DATA</c> environment variable, then in a <c>data/</c> folder in the working directory or any folder
/// above it (a notebook's kernel runs in notebooks/), then above the library's own location (a build in src/…/bin).
/// </summary>
public static class DataFiles
{
    /// <summary>The environment variable that names a data folder to search first.</summary>
    public const string Variable = "AUTOGRADRNN_DATA";

    /// <summary>The full path of data file <paramref name="name"/>; a one-line <see cref="FileNotFoundException"/> names the places searched.</summary>
    public static string Find(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var searched = new List<string>();
        foreach (var folder in Folders())
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
            searched.Add(folder);
        }
        throw new FileNotFoundException(
            $"data file '{name}' was not found in {string.Join(", ", searched.Distinct())}; put it in the repository's data/ folder or set {Variable} to its folder", name);
    }

    private static IEnumerable<string> Folders()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given) yield return given;
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory, Path.GetDirectoryName(typeof(DataFiles).Assembly.Location) ?? "" })
            for (var dir = start.Length == 0 ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Directory.Exists(Path.Combine(dir.FullName, "data"))) yield return Path.Combine(dir.FullName, "data");
    }
}
