namespace AutoGradRnn.Tests;

/// <summary>These tests change the process's working directory and environment: they run alone.</summary>
[CollectionDefinition(nameof(DataFilesTests), DisableParallelization = true)]
public sealed class DataFilesCollection;

/// <summary>
/// Finding a data file: the folder named by AUTOGRADRNN_DATA first, then a data/ folder in the working directory or
/// any folder above it (the nearest first); a file found nowhere is a FileNotFoundException naming each place
/// searched once. Each test runs in a temporary tree as working directory, with the variable set as it needs.
/// </summary>
[Collection(nameof(DataFilesTests))]
public class DataFilesTests
{
    private static readonly string Unique = $"no-such-file-{Guid.NewGuid():N}.txt";

    /// <summary>Runs <paramref name="body"/> with the working directory at <paramref name="cwd"/> and the variable at <paramref name="variable"/>.</summary>
    private static void In(string cwd, string? variable, Action body)
    {
        string previous = Environment.CurrentDirectory;
        string? previousVariable = Environment.GetEnvironmentVariable(DataFiles.Variable);
        Environment.CurrentDirectory = cwd;
        Environment.SetEnvironmentVariable(DataFiles.Variable, variable);
        try { body(); }
        finally
        {
            Environment.CurrentDirectory = previous;
            Environment.SetEnvironmentVariable(DataFiles.Variable, previousVariable);
        }
    }

    /// <summary>root/data/name holding "root", and root/a/b as the working directory.</summary>
    private static (string Root, string Deep) Tree(TempDir dir, string name)
    {
        var deep = Path.Combine(dir.Path, "a", "b");
        Directory.CreateDirectory(deep);
        Directory.CreateDirectory(Path.Combine(dir.Path, "data"));
        File.WriteAllText(Path.Combine(dir.Path, "data", name), "root");
        return (dir.Path, deep);
    }

    [Fact]
    public void A_file_in_a_data_folder_above_the_working_directory_is_found()
    {
        using var dir = new TempDir();
        var (root, deep) = Tree(dir, Unique);
        In(deep, null, () => Assert.Equal(Path.Combine(root, "data", Unique), DataFiles.Find(Unique)));
    }

    [Fact]
    public void The_nearest_data_folder_comes_first()
    {
        using var dir = new TempDir();
        var (_, deep) = Tree(dir, Unique);
        var near = Path.Combine(dir.Path, "a", "data");
        Directory.CreateDirectory(near);
        File.WriteAllText(Path.Combine(near, Unique), "near");
        In(deep, null, () => Assert.Equal(Path.Combine(near, Unique), DataFiles.Find(Unique)));
        In(Path.Combine(dir.Path, "a"), "", () => Assert.Equal(Path.Combine(near, Unique), DataFiles.Find(Unique)));
    }

    [Fact]
    public void The_folder_named_by_the_variable_comes_before_the_data_folders()
    {
        using var dir = new TempDir();
        var (_, deep) = Tree(dir, Unique);
        var given = Path.Combine(dir.Path, "given");
        Directory.CreateDirectory(given);
        File.WriteAllText(Path.Combine(given, Unique), "given");
        In(deep, given, () => Assert.Equal(Path.Combine(given, Unique), DataFiles.Find(Unique)));
    }

    [Fact]
    public void An_empty_variable_is_no_folder()
    {
        // With "" taken as a folder, a file in the working directory itself (not in data/) would be found.
        using var dir = new TempDir();
        var loose = $"loose-{Guid.NewGuid():N}.txt";
        File.WriteAllText(Path.Combine(dir.Path, loose), "x");
        In(dir.Path, "", () => Assert.Throws<FileNotFoundException>(() => DataFiles.Find(loose)));
    }

    [Fact]
    public void A_file_found_nowhere_names_each_folder_searched_once()
    {
        using var dir = new TempDir();
        var (root, deep) = Tree(dir, "other.txt");
        var near = Path.Combine(dir.Path, "a", "data");
        Directory.CreateDirectory(near);
        var given = Path.Combine(dir.Path, "given");
        In(deep, given, () =>
        {
            var e = Assert.Throws<FileNotFoundException>(() => DataFiles.Find(Unique));
            Assert.Equal(Unique, e.FileName);
            string prefix = $"data file '{Unique}' was not found in ", suffix = "; put it in the repository's data/ folder or set AUTOGRADRNN_DATA to its folder";
            Assert.StartsWith(prefix + given + ", " + near + ", " + Path.Combine(root, "data"), e.Message);
            Assert.EndsWith(suffix, e.Message);
            var folders = e.Message[prefix.Length..^suffix.Length].Split(", ");
            Assert.Equal(folders.Distinct(), folders);
            Assert.DoesNotContain(Path.Combine(deep, "data"), folders);   // only folders that exist are searched
        });
    }
}
