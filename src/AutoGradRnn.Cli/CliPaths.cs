namespace AutoGradRnn.Cli;

/// <summary>
/// Checks every path a command reads or writes before it loads data or trains, so a typo costs seconds, not a run.
/// Inputs must be files. Output folders must be folders we can write: probed with a temporary file (in the nearest
/// existing folder if theirs is still to be made), since chmod proves nothing to root. Output files must not be
/// folders, and no output may be an input or another output (full paths compared with symlinks resolved).
/// Each failure is one line naming the flag and the path.
/// </summary>
internal sealed class CliPaths
{
    private readonly List<(string Label, string Canonical)> inputs = [];
    private readonly List<(string Label, string Canonical)> outputs = [];
    private readonly HashSet<string> plannedFolders = [];

    /// <summary>An input file: it must exist (<paramref name="what"/> names it in the message, e.g. "text file") and not be a folder.</summary>
    public CliPaths Input(string option, string path, string what)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"{option} '{path}' is a folder; give a file");
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} '{path}' does not exist", path);
        inputs.Add(($"{option} '{path}'", Canonical(path)));
        return this;
    }

    /// <summary>
    /// An output folder and the names the command writes into it (<paramref name="files"/>). A missing folder is not
    /// created here, so a refused run leaves nothing behind: its nearest existing parent is probed instead, and the
    /// command creates it when it first writes.
    /// </summary>
    public CliPaths OutputFolder(string option, string path, params string[] files)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{option} is empty; give a folder");
        if (File.Exists(path)) throw new ArgumentException($"{option} '{path}' is a file; give a folder");
        if (FileAncestor(path) is { } blocker) throw new ArgumentException($"{option} '{path}': '{blocker}' is a file, not a folder");
        Probe(option, path, NearestFolder(path));
        plannedFolders.Add(Canonical(path));
        foreach (var file in files) Output($"{option} '{path}' ({file})", Path.Combine(path, file));
        return this;
    }

    /// <summary>An output file: its folder must exist and be writable, and it must not be a folder, an input or another output.</summary>
    public CliPaths OutputFile(string option, string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{option} is empty; give a file");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var shown = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
        if (Directory.Exists(path)) throw new ArgumentException($"{option} '{path}' is a folder; give a file name, e.g. '{Path.Combine(path, "model.safetensors")}'");
        if (FileAncestor(path) is { } blocker) throw new ArgumentException($"{option} '{path}': '{blocker}' is a file, not a folder");
        bool planned = plannedFolders.Contains(Canonical(folder));     // the --out folder, probed and created by the command
        if (!Directory.Exists(folder) && !planned) throw new DirectoryNotFoundException($"{option} '{path}': folder '{shown}' does not exist; create it or choose another path");
        if (!planned) Probe(option, path, folder);
        Output($"{option} '{path}'", path);
        return this;
    }

    private void Output(string label, string path)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"{label} is a folder; move it or choose another path");
        var canonical = Canonical(path);
        foreach (var (other, c) in inputs.Concat(outputs))
            if (c == canonical) throw new ArgumentException($"{label} is the same file as {other}; choose another path, or it would be overwritten");
        outputs.Add((label, canonical));
    }

    /// <summary>Creates and deletes a temporary file in <paramref name="folder"/>: the only test of writability that holds for root, read-only mounts and /proc.</summary>
    private static void Probe(string option, string path, string folder)
    {
        var probe = Path.Combine(folder, $".autogradrnn-probe-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None)) { }
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{option} '{path}': cannot write in folder '{folder}'{Reason(e)}", e);
        }
    }

    /// <summary><paramref name="path"/> if it is a folder, else its nearest existing ancestor (where creating it would write).</summary>
    private static string NearestFolder(string path)
    {
        var p = Path.GetFullPath(path);
        while (!Directory.Exists(p)) p = Path.GetDirectoryName(p) ?? throw new DirectoryNotFoundException($"no folder above '{path}' exists");
        return p;
    }

    /// <summary>The nearest existing ancestor of <paramref name="path"/>, as the user wrote it, if it is a file (then no folder can be made below it).</summary>
    private static string? FileAncestor(string path)
    {
        for (var p = Path.GetDirectoryName(path); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p)) return p;
            if (Directory.Exists(p)) return null;
        }
        return null;
    }

    /// <summary>The full path with every symlink on the way resolved (the file itself may not exist yet).</summary>
    internal static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        if (parent is null) return full;
        var combined = Path.Combine(Canonical(parent), Path.GetFileName(full));
        var info = new FileInfo(combined);
        if (info.LinkTarget is null) return combined;
        var target = info.ResolveLinkTarget(returnFinalTarget: true);
        return target is null ? combined : Canonical(target.FullName);
    }

    /// <summary>
    /// The operating system's reason, in parentheses, without .NET's repetition of the path; none for "not found",
    /// which is what a pseudo file system such as /proc answers and would only mislead.
    /// </summary>
    private static string Reason(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "",
        UnauthorizedAccessException => " (permission denied)",
        _ => $" ({e.Message.Split(" : '")[0].TrimEnd('.', ' ')})",
    };
}
