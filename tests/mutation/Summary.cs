// Summarises a Stryker JSON report per folder of src/AutoGradRnn and lists the mutants no test caught.
// A .NET file-based app (no project, no packages):  dotnet run tests/mutation/Summary.cs -- REPORT.json... [--survivors]
// Several reports (one folder measured in parts: one Stryker run per set of its files, all at one commit) are summed;
// a file tested in two of them is refused, as it would be counted twice.
//
// Score = (killed + timeout) / (killed + timeout + survived + no coverage), Stryker's own formula; mutants Stryker
// could not compile and ignored ones are counted separately, never in the score.
using System.Text.Json;

bool listSurvivors = args.Contains("--survivors");
string[] reports = args.Where(a => a != "--survivors").ToArray();
if (reports.Length == 0)
{
    Console.Error.WriteLine("usage: dotnet run tests/mutation/Summary.cs -- tests/mutation/StrykerOutput/reports/mutation-report.json... [--survivors]");
    return 2;
}
if (reports.FirstOrDefault(r => !File.Exists(r)) is { } missing)
{
    Console.Error.WriteLine($"Summary.cs: no report at {missing}");
    return 2;
}
var rows = new SortedDictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
var undetected = new List<string>();
var testedIn = new Dictionary<string, string>(StringComparer.Ordinal);   // file -> the report that tested its mutants
foreach (var report in reports)
{
    using var doc = JsonDocument.Parse(File.ReadAllBytes(report));
    foreach (var file in doc.RootElement.GetProperty("files").EnumerateObject())
    {
        string path = file.Name.Replace('\\', '/');
        int at = path.IndexOf("src/AutoGradRnn/", StringComparison.Ordinal);
        string relative = at >= 0 ? path[(at + "src/AutoGradRnn/".Length)..] : path;
        string folder = relative.Contains('/') ? relative[..relative.IndexOf('/')] : "(root)";
        string[] lines = file.Value.GetProperty("source").GetString()!.Split('\n');
        if (file.Value.GetProperty("mutants").EnumerateArray().Any(m => m.GetProperty("status").GetString() != "Ignored"))
        {
            if (testedIn.TryGetValue(relative, out var first))
            {
                Console.Error.WriteLine($"Summary.cs: {relative} was tested in both {first} and {report}; give each file's report once");
                return 2;
            }
            testedIn[relative] = report;
        }
        foreach (var m in file.Value.GetProperty("mutants").EnumerateArray())
        {
            string status = m.GetProperty("status").GetString()!;
            if (status == "Ignored") continue;   // outside --mutate, or removed by a filter: not part of this run
            var counts = rows.TryGetValue(folder, out var c) ? c : rows[folder] = new();
            counts[status] = counts.GetValueOrDefault(status) + 1;
            if (status is "Survived" or "NoCoverage")
            {
                int line = m.GetProperty("location").GetProperty("start").GetProperty("line").GetInt32();
                string replacement = m.TryGetProperty("replacement", out var r) ? r.GetString() ?? "" : "";
                undetected.Add($"{relative}:{line} {status} {m.GetProperty("mutatorName").GetString()}: {lines[line - 1].Trim()} => {replacement.ReplaceLineEndings(" ")}");
            }
        }
    }
}
Console.WriteLine($"{"folder",-14} {"killed",7} {"timeout",7} {"survived",8} {"no cov",7} {"compile",7} {"score",8}");
foreach (var (folder, c) in rows)
{
    int killed = c.GetValueOrDefault("Killed"), timeout = c.GetValueOrDefault("Timeout");
    int survived = c.GetValueOrDefault("Survived"), noCoverage = c.GetValueOrDefault("NoCoverage");
    int compile = c.GetValueOrDefault("CompileError");
    int tested = killed + timeout + survived + noCoverage;
    string score = tested == 0 ? "-" : $"{100.0 * (killed + timeout) / tested:F2} %";
    Console.WriteLine($"{folder,-14} {killed,7} {timeout,7} {survived,8} {noCoverage,7} {compile,7} {score,8}");
}
if (listSurvivors) foreach (var line in undetected) Console.WriteLine(line);
return 0;
