using System.Text;
using System.Text.RegularExpressions;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// docs/errors.md is the contract: one row per bad input with the exact exception type and message. Each row is
/// asserted here. Set AUTOGRADRNN_WRITE_ERRORS_DOC=1 to regenerate the document from what the code does now
/// (then read the diff: every message must still name what is wrong and what to fix).
/// </summary>
[Collection("processes")]
public partial class ErrorCatalogTests
{
    private static string DocPath => Path.Combine(Repo.Root, "docs", "errors.md");

    public static TheoryData<string> Ids() => [.. ErrorCatalog.Cases.Select(c => c.Id)];

    /// <summary>What a case actually does: exception type name (or "exit N") and message with the temp folder as &lt;tmp&gt;.</summary>
    private static (string Type, string Message) Observe(ErrorCase c)
    {
        using var dir = new TempDir();
        try
        {
            c.Act(dir);
        }
        catch (CliExit e)
        {
            return ($"exit {e.Code}", e.Message.Replace(dir.Path, "<tmp>"));
        }
        catch (Exception e)
        {
            return (e.GetType().Name, e.Message.Replace(dir.Path, "<tmp>").Replace("\n", " "));
        }
        return ("(no exception)", "");
    }

    private static Dictionary<string, (string Type, string Message)> Documented()
    {
        var rows = new Dictionary<string, (string, string)>();
        foreach (var line in File.ReadAllLines(DocPath))
        {
            var m = Row().Match(line);
            if (m.Success) rows[m.Groups["id"].Value] = (m.Groups["type"].Value, m.Groups["message"].Value.Replace("\\|", "|"));
        }
        return rows;
    }

    [GeneratedRegex(@"^\| (?<id>E\d{2,3}) \| [^|]+ \| .+ \| `(?<type>[^`]+)` \| `(?<message>.*)` \|$")]
    private static partial Regex Row();

    [Theory, MemberData(nameof(Ids))]
    public void Each_bad_input_gets_exactly_the_documented_type_and_message(string id)
    {
        var c = ErrorCatalog.Cases.Single(x => x.Id == id);
        var (type, message) = Observe(c);
        Assert.Equal(c.Exception?.Name ?? "exit 2", type);
        Assert.True(Documented().TryGetValue(id, out var doc), $"{id} is missing from docs/errors.md");
        Assert.Equal(doc.Type, type);
        Assert.Equal(doc.Message, message);
        Assert.False(string.IsNullOrWhiteSpace(message));
    }

    [Fact]
    public void The_catalogue_has_at_least_40_rows_and_the_document_no_others()
    {
        if (Environment.GetEnvironmentVariable("AUTOGRADRNN_WRITE_ERRORS_DOC") == "1") WriteDocument();
        Assert.True(ErrorCatalog.Cases.Count >= 40);
        Assert.Equal(ErrorCatalog.Cases.Select(c => c.Id).Order(), Documented().Keys.Order());
    }

    private static void WriteDocument()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Errors");
        sb.AppendLine();
        sb.AppendLine("Every bad input gets a typed exception whose message names what is wrong: the shapes, values, file, row,");
        sb.AppendLine("column or tensor involved. The command line turns each of them into one line on stderr and exit code 2;");
        sb.AppendLine("a stack trace only ever means a bug. This table is the contract: `ErrorCatalogTests` runs every row and");
        sb.AppendLine("asserts exactly this exception type and message (temporary folders are written as `<tmp>`).");
        sb.AppendLine();
        sb.AppendLine("| id | area | bad input | exception | message |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var c in ErrorCatalog.Cases)
        {
            var (type, message) = Observe(c);
            sb.AppendLine($"| {c.Id} | {c.Area} | {c.Input} | `{type}` | `{message.Replace("|", "\\|")}` |");
        }
        sb.AppendLine();
        sb.AppendLine("The exception types: `ShapeMismatchException` (an `ArgumentException`; its `Op` and `Shapes` name the operation and");
        sb.AppendLine("shapes), `ArgumentOutOfRangeException` and `ArgumentException` for bad values, `ArgumentNullException` for nulls,");
        sb.AppendLine("`UnsupportedTreeNodeException` (an `ArgumentException`; `Path`, `NodeType`) for parameter-tree nodes the walk would skip, `AnomalyException` for NaN/Inf in");
        sb.AppendLine("anomaly mode, `TrainingDivergedException`, `CheckpointException` (an `IOException`; `FilePath`, `Tensor`),");
        sb.AppendLine("`DataFormatException` (a `FormatException`; `File`, `Row`, `Column`), `FileNotFoundException`, and for notebooks");
        sb.AppendLine("`NotebookFormatException` and `NotebookExecutionException` (`Notebook`, `Cell`, `Line`).");
        File.WriteAllText(DocPath, sb.ToString());
    }
}

[CollectionDefinition("processes", DisableParallelization = true)]
public sealed class ProcessCollection;
