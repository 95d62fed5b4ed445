namespace AutoGradRnn.Display;

/// <summary>
/// A fragment of HTML that notebooks show as rendered HTML (text/html), e.g. text coloured by an activation.
/// Its plain-text form is the markup itself. Nothing is escaped: build it from trusted or encoded parts.
/// </summary>
[TypeFormatterSource(typeof(FormatterSource))]
public sealed record Html(string Content)
{
    /// <summary>HTML-encodes <paramref name="text"/> (for building fragments from data).</summary>
    public static string Encode(string text) => System.Net.WebUtility.HtmlEncode(text);

    /// <inheritdoc/>
    public override string ToString() => Content;
}
