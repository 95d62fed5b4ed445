using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace AutoGradRnn.Cli;

/// <summary>
/// Numeric flags that check their range while the command line is parsed, before any file is touched, with one line
/// naming the flag ("--layers 0 must be ≥ 1", "--seq: '99999999999' is out of range (at most 2147483647)") rather
/// than a type name, an element count or an overflow deep in a run.
/// </summary>
internal static class NumberOptions
{
    /// <summary>A whole number in [<paramref name="min"/>, T.MaxValue].</summary>
    public static Option<T> Whole<T>(string name, string description, T defaultValue, T min) where T : IBinaryInteger<T>, IMinMaxValue<T>
    {
        var option = new Option<T>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = r =>
        {
            if (r.Tokens.Count == 0) return defaultValue;
            var text = r.Tokens[0].Value;
            if (!BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var big)) return Fail(r, $"{name}: '{text}' is not a whole number", defaultValue);
            if (big > BigInteger.CreateChecked(T.MaxValue)) return Fail(r, $"{name}: '{text}' is out of range (at most {T.MaxValue})", defaultValue);
            if (big < BigInteger.CreateChecked(min)) return Fail(r, $"{name} {text} must be ≥ {min}", defaultValue);
            return T.CreateChecked(big);
        };
        return option;
    }

    /// <summary>A finite number in (<paramref name="above"/>, <paramref name="below"/>) or, with <paramref name="inclusiveLow"/>, [<paramref name="above"/>, <paramref name="below"/>).</summary>
    public static Option<double> Real(string name, string description, double defaultValue, double above = 0, double below = double.PositiveInfinity, bool inclusiveLow = false)
    {
        var option = new Option<double>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = r =>
        {
            if (r.Tokens.Count == 0) return defaultValue;
            var text = r.Tokens[0].Value;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                return Fail(r, $"{name}: '{text}' is not a finite number", defaultValue);
            bool low = inclusiveLow ? v >= above : v > above;
            if (low && v < below) return v;
            string range = double.IsPositiveInfinity(below) ? $"{(inclusiveLow ? "≥" : ">")} {above.ToString(CultureInfo.InvariantCulture)}"
                : $"in {(inclusiveLow ? "[" : "(")}{above.ToString(CultureInfo.InvariantCulture)}, {below.ToString(CultureInfo.InvariantCulture)})";
            return Fail(r, $"{name} {text} must be {range}", defaultValue);
        };
        return option;
    }

    private static T Fail<T>(ArgumentResult r, string message, T value)
    {
        r.AddError(message);
        return value;
    }
}
