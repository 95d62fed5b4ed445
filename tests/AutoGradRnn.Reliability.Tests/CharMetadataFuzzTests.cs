using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// sample and Activations build a model from a checkpoint's metadata. Whatever the metadata claims (sizes huge, zero,
/// negative or not numbers, a vocabulary with duplicates or lone surrogates, an unknown cell), they either work or throw
/// a CheckpointException, quickly and without allocating more than a small multiple of the file.
/// </summary>
[Properties(Arbitrary = new[] { typeof(CharMetadataFuzzTests.Claims) })]
public class CharMetadataFuzzTests
{
    public sealed record Claim(string Hidden, string Layers, string Vocabulary, string Cell);

    public static class Claims
    {
        public static Arbitrary<Claim> All() => Arb.From(
            from hidden in Gen.Elements("4", "4", "40000", "2147483647", "0", "-4", "abc", "", " 4", "4.0", "1e3", "٤")
            from layers in Gen.Elements("1", "1", "2", "1000000", "0", "-1", "x", "")
            from vocabulary in Gen.Elements("abc", "abc", "abcd", "ab", "aab", "ab\uD83D", "", "🐳bc")
            from cell in Gen.Elements("lstm", "lstm", "gru", "rnn", "peephole", "lstn", "")
            select new Claim(hidden, layers, vocabulary, cell));
    }

    private sealed record CharLm(Stacked<LstmState<float>, float> Rnn, Linear<float> Head);

    [Property(MaxTest = 300)]
    public void Any_metadata_is_checked_against_the_tensors_before_a_model_is_built(Claim claim)
    {
        using var dir = new TempDir();
        var path = dir.File("c.safetensors");
        void Save() => Checkpoint<float>.Save(path, new CharLm(Stacked<LstmState<float>, float>.Of(Lstm<float>.Create(3, 4, 1)), Linear<float>.Create(4, 3, 2)),
            new Dictionary<string, string> { ["model"] = "char-lm", ["hidden"] = claim.Hidden, ["layers"] = claim.Layers, ["vocabulary"] = claim.Vocabulary, ["cell"] = claim.Cell });
        if (claim.Vocabulary.Contains('\uD83D') && !claim.Vocabulary.Contains("🐳"))
        {
            // UTF-8 cannot hold half a surrogate pair: saving refuses it rather than writing U+FFFD in its place.
            Assert.Contains("surrogate", Assert.Throws<ArgumentException>(Save).Message);
            return;
        }
        Save();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        bool valid = claim is { Hidden: "4", Layers: "1", Vocabulary: "abc" or "🐳bc", Cell: "lstm" };   // three characters, as the head has
        try
        {
            CharLanguageModel.Activations(path, "");
            Assert.True(valid, $"{claim} was accepted");
        }
        catch (CheckpointException e)
        {
            Assert.False(valid, e.Message);
            Assert.Contains(path, e.Message);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{claim} took {clock.Elapsed}");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * new FileInfo(path).Length + (4 << 20), $"{claim} allocated {allocated:N0} bytes");
    }
}
