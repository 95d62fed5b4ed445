using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// Targeted corruption of valid safetensors files with an oracle: each kind of damage must be refused by the one
/// check that guards against it, as a <see cref="CheckpointException"/> whose message names that check with the
/// file's own numbers (byte counts, offsets, the tensor). The byte-level fuzzing in <see cref="FuzzTests"/> only
/// proves that something is thrown; here removing or loosening any single check (e.g. the data_offsets bound) makes
/// another check, or none, answer, and the message no longer matches.
/// </summary>
public sealed class SafeTensorsCheckTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("safetensors-checks-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    public enum Damage
    {
        ShorterThanTheLength, HeaderLongerThanTheFile, NotJson, DuplicateName, UnknownDtype, NegativeShape,
        OffsetsPastTheData, OffsetsReversed, SizeMismatch, Overlap, Gap, TrailingBytes,
    }

    /// <summary>Random tensors (1–4, F32, shapes of rank 0–3 with dims 0–4) and a random kind of damage.</summary>
    public sealed record Case(int[][] Shapes, Damage Damage, int Pick, int Extra)
    {
        public override string ToString() => $"{Damage} on tensor {Pick % Shapes.Length} of [{string.Join(" ", Shapes.Select(s => $"[{string.Join(",", s)}]"))}] extra {Extra}";
    }

    public static class Cases
    {
        public static Arbitrary<Case> Arb() => FsCheck.Fluent.Arb.From(
            from n in Gen.Choose(1, 4)
            from shapes in Gen.ArrayOf(Gen.Choose(0, 3).SelectMany(rank => Gen.ArrayOf(Gen.Choose(0, 4), rank)), n)
            from damage in Gen.Elements(Enum.GetValues<Damage>())
            from pick in Gen.Choose(0, 1000) from extra in Gen.Choose(1, 64)
            select new Case(shapes, damage, pick, extra));
    }

    private sealed record Entry(string Name, string Dtype, string Shape, long Begin, long End);

    private static byte[] File(IReadOnlyList<Entry> entries, long dataBytes, string? rawHeader = null, long? claimedLength = null)
    {
        var header = rawHeader ?? "{" + string.Join(",", entries.Select(e =>
            $"\"{e.Name}\":{{\"dtype\":\"{e.Dtype}\",\"shape\":{e.Shape},\"data_offsets\":[{e.Begin},{e.End}]}}")) + "}";
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(claimedLength ?? h.Length));
        h.CopyTo(bytes, 8);
        return bytes;
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(Cases) })]
    public void Each_kind_of_damage_is_refused_by_its_own_check_naming_the_numbers(Case c) => Refused(c);

    /// <summary>Every kind of damage on fixed tensors (one empty), the middle one damaged.</summary>
    public static TheoryData<Damage> Damages() => [.. Enum.GetValues<Damage>()];

    /// <summary>
    /// Each kind of damage on a fixed file, so every check is exercised on every run, not only when the random draw
    /// picks its kind (this fails, e.g., with the data_offsets bound check removed: OffsetsPastTheData then reaches
    /// another check, whose message does not name the bound).
    /// </summary>
    [Theory, MemberData(nameof(Damages))]
    public void Every_kind_of_damage_on_a_fixed_file_is_refused_by_its_own_check(Damage damage) =>
        Refused(new Case([[2, 3], [0], [4]], damage, Pick: 1, Extra: 5));

    private void Refused(Case c)
    {
        // The valid file: tensors t0, t1, … laid out back to back, F32.
        var entries = new List<Entry>();
        long at = 0;
        for (int i = 0; i < c.Shapes.Length; i++)
        {
            long bytes = 4L * c.Shapes[i].Aggregate(1L, (p, d) => p * d);
            entries.Add(new Entry($"t{i}", "F32", $"[{string.Join(",", c.Shapes[i])}]", at, at + bytes));
            at += bytes;
        }
        long data = at;
        int k = c.Pick % entries.Count;
        var e = entries[k];
        var path = Path.Combine(dir, "m.safetensors");
        System.IO.File.WriteAllBytes(path, File(entries, data));
        Assert.Equal(entries.Count, SafeTensors.Load<float>(path).Tensors.Count);   // the undamaged file loads

        (byte[] File, string Tensor, string Message) damaged = c.Damage switch
        {
            Damage.ShorterThanTheLength => (new byte[c.Extra % 8], "", $"the file has {c.Extra % 8} bytes, fewer than the 8-byte header length"),
            Damage.HeaderLongerThanTheFile => Claim(entries, data, c.Extra),
            Damage.NotJson => (File(entries, data, rawHeader: "{\"t0\": [1, 2"), "", "the header is not valid UTF-8 JSON"),
            Damage.DuplicateName => (File([.. entries, entries[k]], data), e.Name, "the name appears twice in the header"),
            Damage.UnknownDtype => (File(Replace(entries, k, e with { Dtype = "Q7" }), data), e.Name, "unknown dtype 'Q7'"),
            Damage.NegativeShape => (File(Replace(entries, k, e with { Shape = "[-1]" }), data), e.Name, "shape entry -1 is not a non-negative integer"),
            Damage.OffsetsPastTheData => (File(Replace(entries, k, e with { End = data + c.Extra }), data), e.Name,
                $"data_offsets [{e.Begin}, {data + c.Extra}] run past the {data} bytes of data"),
            Damage.OffsetsReversed => (File(Replace(entries, k, e with { Begin = e.End + c.Extra }), data + e.End + c.Extra), e.Name,
                $"data_offsets [{e.End + c.Extra}, {e.End}] are not 0 ≤ begin ≤ end"),
            Damage.SizeMismatch => (File(Replace(entries, k, e with { End = e.End + 4 * c.Extra }), data + 4 * c.Extra), e.Name,
                $"holds {e.End + 4 * c.Extra - e.Begin} bytes but F32 {e.Shape} needs {e.End - e.Begin}"),
            Damage.Overlap => Overlap(entries, data, c.Extra),
            Damage.Gap => Gap(entries, data, k, c.Extra),
            Damage.TrailingBytes => (File(entries, data + c.Extra), "", $"the tensors cover {data} bytes but the data section has {data + c.Extra}"),
            _ => throw new ArgumentOutOfRangeException(nameof(c)),
        };
        System.IO.File.WriteAllBytes(path, damaged.File);
        var error = Assert.Throws<CheckpointException>(() => SafeTensors.Load<float>(path));
        Assert.Contains(damaged.Message, error.Message, StringComparison.Ordinal);
        Assert.Equal(damaged.Tensor, error.Tensor);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static List<Entry> Replace(List<Entry> entries, int k, Entry e) => [.. entries.Take(k), e, .. entries.Skip(k + 1)];

    private static (byte[], string, string) Claim(List<Entry> entries, long data, int extra)
    {
        var honest = File(entries, data);
        long claim = honest.Length - 8 + extra;
        return (File(entries, data, claimedLength: claim), "", $"the header claims {claim} bytes but only {honest.Length - 8} follow the length");
    }

    /// <summary>A one-element tensor laid over the first tensor's first bytes (or, when that is empty, a second empty one would not overlap: then two 4-byte tensors share bytes).</summary>
    private static (byte[], string, string) Overlap(List<Entry> entries, long data, int extra)
    {
        var list = entries.Select(x => x with { Begin = x.Begin + 4, End = x.End + 4 }).ToList();
        list.Add(new Entry("a", "F32", "[1]", 0, 4));
        list.Add(new Entry("b", "F32", "[1]", 0, 4));
        // sorted by (begin, end): a and b both [0, 4): the second one read overlaps the first
        return (File(list, data + 4), "b", "bytes [0, 4) overlap tensor 'a' [0, 4)");
    }

    /// <summary>Every tensor from the k-th on moves <paramref name="extra"/> bytes later: the data has a hole before it.</summary>
    private static (byte[], string, string) Gap(List<Entry> entries, long data, int k, int extra)
    {
        // an empty tensor's data is nowhere, so make the moved one non-empty
        var list = entries.Select((x, i) => i < k ? x : x with { Begin = x.Begin + extra, End = x.End + extra }).ToList();
        list.Add(new Entry("z", "F32", "[1]", data + extra, data + extra + 4));
        var first = list.Where((x, i) => i >= k).OrderBy(x => x.Begin).ThenBy(x => x.End).First();
        return (File(list, data + extra + 4), first.Name, $"a gap of {extra} bytes lies before this tensor's data at {entries[k].Begin + extra}");
    }
}
