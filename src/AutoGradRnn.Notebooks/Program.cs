using AutoGradRnn.Notebooks;

// autogradrnn-notebooks run <notebook.ipynb>... [--timeout seconds]   executes notebooks in place
// autogradrnn-notebooks site <repo root> <out dir> <assets dir>        builds the static docs site
try
{
    return args switch
    {
        ["run", .. var rest] => RunNotebooks(rest),
        ["site", var root, var output, var assets] => BuildSite(root, output, assets),
        _ => Usage(),
    };
}
catch (Exception e) when (e is NotebookExecutionException or NotebookFormatException or FileNotFoundException or DirectoryNotFoundException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

static int RunNotebooks(string[] args)
{
    var timeout = TimeSpan.FromSeconds(600);
    var paths = new List<string>();
    for (int i = 0; i < args.Length; i++)
    {
        if (args[i] == "--timeout" && i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0)
        { timeout = TimeSpan.FromSeconds(s); i++; }
        else if (args[i].StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine($"unknown option {args[i]}"); return 2; }
        else paths.Add(args[i]);
    }
    if (paths.Count == 0) return Usage();
    // Progress goes straight to the process's stdout, flushed line by line: the kernels redirect Console.Out while a
    // cell runs, and a long cell should not leave the terminal silent.
    using var log = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var slowCell = TimeSpan.FromSeconds(10);   // a cell that runs this long gets a line when it finishes
    string Stamp() => $"[{(int)clock.Elapsed.TotalMinutes,3}:{clock.Elapsed.Seconds:00}]";
    foreach (var path in paths)
    {
        var notebook = Notebook.Load(path);
        var name = Path.GetFileName(path);
        log.WriteLine($"{Stamp()} {name}");
        try
        {
            var report = NotebookRunner.Run(notebook, timeout,
                cellStarting: (cell, cells, code) => log.WriteLine($"{Stamp()}   cell {cell}/{cells}: {FirstLine(code)}"),
                cellFinished: (cell, elapsed) => { if (elapsed >= slowCell) log.WriteLine($"{Stamp()}   cell {cell} took {elapsed.TotalSeconds:0.0} s"); });
            log.WriteLine($"{Stamp()} {report.Notebook}: {report.Cells.Count} cells in {report.Total.TotalSeconds:0.0} s (slowest: cell {report.Cells.MaxBy(c => c.Elapsed).Cell}, {report.Cells.Max(c => c.Elapsed).TotalSeconds:0.0} s)");
        }
        finally
        {
            notebook.Save(path);   // with outputs, including the error output of a failing cell
        }
    }
    return 0;
}

// The first non-blank line of a cell, shortened to fit a progress line.
static string FirstLine(string code)
{
    var line = code.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
    return line.Length <= 80 ? line : line[..79] + "…";
}

static int BuildSite(string root, string output, string assets)
{
    var pages = SiteBuilder.Build(root, output, assets);
    Console.WriteLine($"site: {pages.Count} pages in {output}");
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: autogradrnn-notebooks run <notebook.ipynb>... [--timeout seconds]\n       autogradrnn-notebooks site <repo root> <out dir> <assets dir>");
    return 2;
}
