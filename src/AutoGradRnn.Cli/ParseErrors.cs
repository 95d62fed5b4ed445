using System.CommandLine;

namespace AutoGradRnn.Cli;

/// <summary>
/// One line for a command line that does not parse, pointing at the fix: an unknown command or option gets the closest
/// known name ("did you mean 'train-char'?") rather than System.CommandLine's "Required command was not provided".
/// </summary>
internal static class ParseErrors
{
    public static string Describe(RootCommand root, ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var unknown = parse.UnmatchedTokens.FirstOrDefault();
        if (command == root && (unknown is null || !unknown.StartsWith('-')))
        {
            var names = root.Subcommands.Select(c => c.Name).ToArray();
            var commands = $"(commands: {string.Join(", ", names)})";
            return unknown is null ? $"no command given {commands}" : $"unknown command '{unknown}'{Suggest(unknown, names)} {commands}";
        }
        if (unknown is not null && unknown.StartsWith('-'))
            return $"{command.Name}: unknown option '{unknown}'{Suggest(unknown, command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)))}";
        // System.CommandLine lists the allowed values on separate lines: one line is easier to read in a log.
        var message = string.Join(" ", parse.Errors[0].Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        // Its "Argument 'x' not recognized" does not say which flag: name it.
        var option = parse.Errors[0].SymbolResult switch
        {
            System.CommandLine.Parsing.OptionResult o => o.Option,
            System.CommandLine.Parsing.ArgumentResult { Parent: System.CommandLine.Parsing.OptionResult o } => o.Option,
            _ => null,
        };
        return option is not null && !message.Contains(option.Name, StringComparison.Ordinal) ? $"{option.Name}: {message}" : message;
    }

    /// <summary>"; did you mean 'x'?" for the closest name within a few edits, else nothing.</summary>
    internal static string Suggest(string typed, IEnumerable<string> names)
    {
        var best = names.Distinct().Select(n => (Name: n, Distance: Distance(typed, n))).OrderBy(x => x.Distance).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, typed.Length / 3) ? $"; did you mean '{best.Name}'?" : "";
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours (the usual typo).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
