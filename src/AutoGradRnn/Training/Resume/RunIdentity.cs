using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;

namespace AutoGradRnn;

/// <summary>What makes a run, as (name, value) strings for <see cref="TrainingControl.Identity"/>: every public property of an options record, and data hashes.</summary>
internal static class RunIdentity
{
    /// <summary>The application's name first (so a file of another command is named as such), then each option, then the data.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Of(string application, object options, params (string Name, string Value)[] data)
    {
        var list = new List<KeyValuePair<string, string>> { new("application", application) };
        list.AddRange(Options(options, ""));
        list.AddRange(data.Select(d => new KeyValuePair<string, string>(d.Name, d.Value)));
        return list;
    }

    /// <summary>Each public property of <paramref name="options"/>, its name prefixed.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Options(object options, string prefix) =>
        Properties(options).Select(p => new KeyValuePair<string, string>(prefix + p.Name, Format(p.GetValue(options))));

    /// <summary>Read by reflection so that an option added later is part of the identity without anyone remembering to add it.</summary>
    private static IEnumerable<PropertyInfo> Properties(object o) =>
        o.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0);   // a record's EqualityContract is protected, so not listed

    /// <summary>Invariant and exact: doubles round-trip, lists are listed, nested records spelled out.</summary>
    internal static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        Enum e => EnumName(e),
        IFormattable f when value.GetType().IsPrimitive => f.ToString(null, CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IEnumerable e => "[" + string.Join(",", e.Cast<object?>().Select(Format)) + "]",
        _ => "{" + string.Join(", ", Properties(value).Select(p => $"{p.Name} = {Format(p.GetValue(value))}")) + "}",
    };

    /// <summary>
    /// A member's <see cref="EnumMemberAttribute"/> value when it has one, else its name: an enum member renamed later
    /// keeps its old name there, so the identities of runs (and their resume files) do not change with it.
    /// </summary>
    private static string EnumName(Enum e) =>
        e.GetType().GetField(e.ToString(), BindingFlags.Public | BindingFlags.Static)?.GetCustomAttribute<EnumMemberAttribute>()?.Value
        ?? e.ToString();

    /// <summary>SHA-256 of a file's bytes, first 16 hex digits (enough to tell two inputs apart).</summary>
    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
    }

    /// <summary>SHA-256 of a text's UTF-8 bytes, first 16 hex digits.</summary>
    public static string HashText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
