using System.Net;
using System.Numerics;
using System.Text;

namespace AutoGradRnn.Display;

/// <summary>
/// Rich formatters for the library's types, found by .NET Interactive and by the project's notebook runner
/// through <see cref="TypeFormatterSourceAttribute"/>. Each formatter has a <c>MimeType</c> and a
/// <c>bool Format(object, TextWriter)</c> that declines (returns false) for values it does not handle.
/// </summary>
public sealed class FormatterSource
{
    /// <summary>The formatters, HTML first.</summary>
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new Formatter("text/html", FormatHtml),
        new Formatter("text/plain", (value, writer) => { writer.Write(value.ToString()); return value is GradCheckResult or Html || IsTensor(value); }),
    ];

    /// <summary>One convention-based formatter.</summary>
    public sealed class Formatter(string mimeType, Func<object, TextWriter, bool> format)
    {
        /// <summary>The MIME type it writes.</summary>
        public string MimeType { get; } = mimeType;

        /// <summary>Writes <paramref name="instance"/>, or returns false when it is not a value this formatter handles.</summary>
        public bool Format(object instance, TextWriter writer)
        {
            ArgumentNullException.ThrowIfNull(writer);
            return instance is not null && format(instance, writer);
        }
    }

    private static bool IsTensor(object value) => value.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(Tensor<>);

    private static bool FormatHtml(object value, TextWriter writer)
    {
        switch (value)
        {
            case Html html:
                writer.Write(html.Content);
                return true;
            case GradCheckResult r:
                writer.Write($"<div class=\"autogradrnn-gradcheck\" style=\"padding:4px 8px;border-left:4px solid {(r.Passed ? "#2a2" : "#c22")}\">");
                writer.Write($"<b>{(r.Passed ? "✔ gradcheck passed" : "✘ gradcheck FAILED")}</b> <span>({r.Mode.ToString().ToLowerInvariant()}, {r.Compared} values, eps {r.Options.Eps:G3}, tolerance {r.Options.Atol:G3} + {r.Options.Rtol:G3}·|numeric|)</span><br/>");
                writer.Write($"<code>{WebUtility.HtmlEncode(r.Worst.ToString())}</code></div>");
                return true;
            default:
                if (!IsTensor(value)) return false;
                var method = typeof(FormatterSource).GetMethod(nameof(TensorHtml), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
                writer.Write((string)method.MakeGenericMethod(value.GetType().GetGenericArguments()[0]).Invoke(null, [value])!);
                return true;
        }
    }

    private static string TensorHtml<T>(Tensor<T> t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int max = 8;
        var sb = new StringBuilder();
        sb.Append($"<div class=\"autogradrnn-tensor\"><div><b>Tensor&lt;{typeof(T).Name}&gt;</b> {t.Shape}{(t.IsTracked ? " (tracked)" : "")}</div>");
        string F(T v) => double.CreateTruncating(v).ToString("G5", System.Globalization.CultureInfo.InvariantCulture);
        if (t.Rank == 0) return sb.Append($"<code>{F(t.AsSpan()[0])}</code></div>").ToString();
        // Rank 1 is one row; rank ≥ 2 shows the first matrix (leading indices 0).
        int cols = t.Shape.Last, rows = t.Rank == 1 ? 1 : t.Shape[t.Rank - 2];
        var data = t.AsSpan();
        sb.Append("<table style=\"border-collapse:collapse;font-family:monospace;font-size:90%\">");
        for (int r = 0; r < Math.Min(rows, max); r++)
        {
            sb.Append("<tr>");
            for (int c = 0; c < Math.Min(cols, max); c++) sb.Append($"<td style=\"padding:1px 6px;text-align:right\">{F(data[r * cols + c])}</td>");
            if (cols > max) sb.Append("<td>…</td>");
            sb.Append("</tr>");
        }
        if (rows > max) sb.Append("<tr><td>⋮</td></tr>");
        sb.Append("</table>");
        if (t.Rank > 2) sb.Append($"<div style=\"font-size:85%\">showing [{string.Join(",", Enumerable.Repeat("0", t.Rank - 2))},:,:] of {t.Shape}</div>");
        return sb.Append("</div>").ToString();
    }
}
