using System.Globalization;
using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;

namespace AutoGradRnn.Tests;

/// <summary>
/// A run's identity (saved in its resume file and compared on resuming) spells every value exactly and the same on every
/// machine: invariant culture, round-trip doubles, lists and nested records written out, enum members by their stable
/// names. A value spelled two ways would refuse a valid resume; two values spelled alike would accept a wrong one.
/// </summary>
public class RunIdentityTests
{
    private enum Mode { Plain, [EnumMember(Value = "old-name")] Renamed }

    private sealed record Inner(int A, string B);

    private sealed record Options(double Rate, int Hidden, Mode Mode, IReadOnlyList<int> Sizes, Inner Nested, string? Note = null);

    private sealed class WithIndexer
    {
        public int Size { get; init; } = 3;
        public int this[int i] => i;
        public static int Shared => 1;
        internal int Hidden => 2;
    }

    private static KeyValuePair<string, string> P(string name, string value) => new(name, value);

    [Fact]
    public void Values_are_spelled_exactly_and_in_the_invariant_culture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // A culture with a decimal comma and another minus sign (built by hand: the machine may have no culture data).
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NegativeSign = "~";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal("0,1", 0.1.ToString());   // the culture is in effect
            Assert.Equal("", RunIdentity.Format(null));
            Assert.Equal("text", RunIdentity.Format("text"));
            Assert.Equal("0.1", RunIdentity.Format(0.1));
            Assert.Equal("0.30000000000000004", RunIdentity.Format(0.1 + 0.2));   // round-trip: not "0.3"
            Assert.Equal("0.1", RunIdentity.Format(0.1f));
            Assert.Equal("1E-07", RunIdentity.Format(1e-7));
            Assert.Equal("12345678", RunIdentity.Format(12345678));
            Assert.Equal("-3", RunIdentity.Format(-3L));
            Assert.Equal("true", RunIdentity.Format(true));
            Assert.Equal("false", RunIdentity.Format(false));
            Assert.Equal("Plain", RunIdentity.Format(Mode.Plain));
            Assert.Equal("old-name", RunIdentity.Format(Mode.Renamed));
            Assert.Equal("[1,2,3]", RunIdentity.Format(new[] { 1, 2, 3 }));
            Assert.Equal("[]", RunIdentity.Format(Array.Empty<double>()));
            Assert.Equal("[0.5,,x]", RunIdentity.Format(new object?[] { 0.5, null, "x" }));
            Assert.Equal("{A = 1, B = b}", RunIdentity.Format(new Inner(1, "b")));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Options_are_every_public_instance_property_in_declaration_order_with_the_prefix()
    {
        var options = new Options(0.25, 8, Mode.Renamed, [2, 4], new Inner(7, "z"));
        Assert.Equal(
            new[]
            {
                P("run.Rate", "0.25"), P("run.Hidden", "8"), P("run.Mode", "old-name"), P("run.Sizes", "[2,4]"),
                P("run.Nested", "{A = 7, B = z}"), P("run.Note", ""),
            },
            RunIdentity.Options(options, "run.").ToList());
        // Indexers, static and non-public properties are not options.
        Assert.Equal(new[] { P("Size", "3") }, RunIdentity.Options(new WithIndexer(), "").ToList());
    }

    [Fact]
    public void The_identity_is_the_application_then_its_options_then_the_data()
    {
        var identity = RunIdentity.Of("char-lm", new Inner(1, "b"), ("data", "abc"), ("vocabulary", "def"));
        Assert.Equal(
            new[] { P("application", "char-lm"), P("A", "1"), P("B", "b"), P("data", "abc"), P("vocabulary", "def") },
            identity);
    }

    [Fact]
    public void Hashes_are_the_first_16_hex_digits_of_SHA_256()
    {
        Assert.Equal("ba7816bf8f01cfea", RunIdentity.HashText("abc"));   // SHA-256("abc") = ba7816bf 8f01cfea 4141…
        using var dir = new TempDir();
        var path = dir.File("data.txt");
        var bytes = Encoding.UTF8.GetBytes("héllo\n");
        File.WriteAllBytes(path, bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes))[..16], RunIdentity.HashFile(path));
        Assert.Equal(RunIdentity.HashText("héllo\n"), RunIdentity.HashFile(path));
        Assert.NotEqual(RunIdentity.HashText("hello\n"), RunIdentity.HashFile(path));
    }
}
