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
    foreach (var path in paths)
    {
        var notebook = Notebook.Load(path);
        try
        {
            var report = NotebookRunner.Run(notebook, timeout);
            Console.WriteLine($"{report.Notebook}: {report.Cells.Count} cells in {report.Total.TotalSeconds:0.0} s (slowest: cell {report.Cells.MaxBy(c => c.Elapsed).Cell}, {report.Cells.Max(c => c.Elapsed).TotalSeconds:0.0} s)");
        }
        finally
        {
            notebook.Save(path);   // with outputs, including the error output of a failing cell
        }
    }
    return 0;
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
