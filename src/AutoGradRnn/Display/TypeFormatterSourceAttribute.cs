namespace AutoGradRnn.Display;

/// <summary>
/// Names the class that supplies rich formatters for the type it decorates. .NET Interactive (Polyglot
/// Notebooks) finds this attribute <em>by name</em>, so the library needs no reference to its packages; the
/// project's own notebook runner uses the same convention, so outputs look the same in both.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = true)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The class with a <c>CreateTypeFormatters()</c> method.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>The MIME types a notebook should show, most preferred first.</summary>
    public string[] PreferredMimeTypes { get; set; } = ["text/html", "text/plain"];
}
