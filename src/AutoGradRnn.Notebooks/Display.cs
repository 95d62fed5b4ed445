using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;

namespace AutoGradRnn.Notebooks;

/// <summary>
/// Turns values into nbformat MIME bundles the way .NET Interactive does for convention-based formatters: it
/// looks for an attribute named <c>TypeFormatterSourceAttribute</c> on the value's type (or a base type), asks its
/// source for formatters, and lets each write its MIME type. Everything also gets text/plain.
/// </summary>
public static class Display
{
    /// <summary>The bundle for <paramref name="value"/>: MIME type → text.</summary>
    public static JsonObject Bundle(object? value)
    {
        var data = new JsonObject();
        if (value is null) { data["text/plain"] = "null"; return data; }
        foreach (var formatter in Formatters(value.GetType()))
        {
            var mime = (string?)formatter.GetType().GetProperty("MimeType")?.GetValue(formatter);
            var format = formatter.GetType().GetMethod("Format", [typeof(object), typeof(TextWriter)]);
            if (mime is null || format is null || data.ContainsKey(mime)) continue;
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            if (format.Invoke(formatter, [value, writer]) is true) data[mime] = writer.ToString();
        }
        if (!data.ContainsKey("text/plain")) data["text/plain"] = PlainText(value);
        return data;
    }

    private static IEnumerable<object> Formatters(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            foreach (var attribute in t.GetCustomAttributes(inherit: false))
            {
                var at = attribute.GetType();
                if (at.Name != "TypeFormatterSourceAttribute") continue;
                if (at.GetProperty("FormatterSourceType")?.GetValue(attribute) is not Type sourceType) continue;
                var source = Activator.CreateInstance(sourceType, nonPublic: true);
                if (sourceType.GetMethod("CreateTypeFormatters", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)?.Invoke(source, null) is IEnumerable formatters)
                    foreach (var f in formatters) if (f is not null) yield return f;
            }
    }

    private static string PlainText(object value) => value switch
    {
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e when value.GetType().GetMethod("ToString", Type.EmptyTypes)?.DeclaringType == typeof(object) =>
            "[" + string.Join(", ", e.Cast<object?>().Take(20).Select(x => x is null ? "null" : PlainText(x))) + "]",
        _ => value.ToString() ?? "",
    };
}
