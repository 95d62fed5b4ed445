using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests;

/// <summary>
/// Characters are Unicode scalar values end to end: an emoji is one symbol in the vocabulary, one id, one row of
/// activations, and the vocabulary a checkpoint stores reads back as itself. Text inside the Basic Multilingual Plane
/// gets exactly the vocabulary and ids it got when characters were UTF-16 code units.
/// </summary>
[Properties(Arbitrary = new[] { typeof(UnicodeTextTests.Texts) })]
public class UnicodeTextTests
{
    /// <summary>A valid string: code points from ASCII, the rest of the BMP (no surrogates) and the astral planes.</summary>
    public sealed record ValidText(string Value)
    {
        public override string ToString() => string.Join(" ", Value.EnumerateRunes().Select(r => $"U+{r.Value:X}"));
    }

    /// <summary>A string of BMP characters only (no surrogates).</summary>
    public sealed record BmpText(string Value);

    public static class Texts
    {
        private static Gen<int> CodePoint(bool astral) => Gen.OneOf(
            Gen.Choose(0x20, 0x7E), Gen.Choose(0x00, 0xD7FF), Gen.Choose(0xE000, 0xFFFF),
            astral ? Gen.Choose(0x10000, 0x10FFFF) : Gen.Choose(0x4E00, 0x9FFF));

        private static Gen<string> Text(bool astral) =>
            from points in Gen.NonEmptyListOf(CodePoint(astral)) select string.Concat(points.Select(p => new Rune(p).ToString()));

        public static Arbitrary<ValidText> Valid() => Arb.From(Text(astral: true).Select(s => new ValidText(s)));

        public static Arbitrary<BmpText> Bmp() => Arb.From(Text(astral: false).Select(s => new BmpText(s)));
    }

    [Property(MaxTest = 200)]
    public void Encode_then_decode_gives_the_text_back_with_one_id_per_rune(ValidText text)
    {
        var s = text.Value;
        var vocabulary = CharVocabulary.FromText(s);
        var ids = vocabulary.Encode(s);
        Assert.Equal(s.EnumerateRunes().Count(), ids.Length);
        Assert.Equal(s, vocabulary.Decode(ids));
        Assert.Equal(s.EnumerateRunes().Distinct().Count(), vocabulary.Size);
        Assert.Equal(vocabulary, new CharVocabulary(vocabulary.Characters));   // what a checkpoint stores reads back as itself
        Assert.Equal(ids, vocabulary.EncodeKnown(s));
    }

    [Property(MaxTest = 200)]
    public void Bmp_text_gets_the_vocabulary_and_ids_of_code_units(BmpText text)
    {
        var s = text.Value;
        var vocabulary = CharVocabulary.FromText(s);
        var units = new string(s.Distinct().Order().ToArray());   // how vocabularies were built before characters were runes
        Assert.Equal(units, vocabulary.Characters);
        Assert.Equal(s.Select(c => units.IndexOf(c)).ToArray(), vocabulary.Encode(s));
    }

    [Property(MaxTest = 50)]
    public void A_vocabulary_survives_a_checkpoint_s_metadata(ValidText text)
    {
        using var dir = new TempDir();
        var vocabulary = CharVocabulary.FromText(text.Value);
        var path = dir.File("v.safetensors");
        SafeTensors.Save(path, [new NamedTensor<float>("x", Tensor.Zeros<float>(1))], new Dictionary<string, string> { ["vocabulary"] = vocabulary.Characters });
        Assert.Equal(vocabulary, new CharVocabulary(SafeTensors.ReadMetadata(path)["vocabulary"]));
    }

    [Fact]
    public void Emoji_cjk_and_combining_marks_train_save_sample_and_give_one_activation_row_per_character()
    {
        using var dir = new TempDir();
        var path = dir.File("m.safetensors");
        // 🐳 and 🌊 are astral (two UTF-16 units each); e + U+0301 is two characters; 海 is CJK.
        var text = string.Concat(Enumerable.Repeat("the 🐳 swims in the 海 🌊, cafe\u0301 🐳🐳.\n", 40));
        var report = CharLanguageModel.Train(text, new CharModelOptions { Hidden = 6, Steps = 3, Batch = 2, SequenceLength = 8 }, path);
        Assert.Equal(text.EnumerateRunes().Distinct().Count(), report.Vocabulary);
        Assert.Equal(0, report.DroppedValidationCharacters);

        var stored = new CharVocabulary(Checkpoint<float>.Metadata(path)["vocabulary"]);
        Assert.Contains(new Rune(0x1F433), stored.Symbols);

        var sample = CharLanguageModel.Sample(path, 200, 1.0, "🐳", seed: 3);
        Assert.Equal(200, sample.EnumerateRunes().Count());
        Assert.All(sample.EnumerateRunes(), r => Assert.Contains(r, stored.Symbols));
        Assert.Equal(Encoding.UTF8.GetByteCount(sample), new UTF8Encoding(false, true).GetBytes(sample).Length);   // no lone surrogate

        var activations = CharLanguageModel.Activations(path, "🐳海e\u0301🌊");
        Assert.All(activations, a => Assert.Equal(new Shape(5, 6), a.Value.Shape));
        var e = Assert.Throws<ArgumentException>(() => CharLanguageModel.Activations(path, "🐳\n🐳🦀"));
        Assert.Contains("'🦀' (U+1F980) at position 3 (line 2, column 2)", e.Message);
    }

    [Fact]
    public void The_validation_split_counts_characters_not_code_units()
    {
        // 10 emoji then 10 letters: 90 % of 20 characters is 18, so training ends after h. Counting UTF-16 units (30)
        // would have ended it after g (unit 27).
        var corpus = CharCorpus.Split(string.Concat(Enumerable.Repeat("🐳", 10)) + "abcdefghij", 0.1);
        Assert.Equal(18, corpus.Train.Length);
        Assert.Equal("abcdefgh🐳", corpus.Vocabulary.Characters);
        Assert.Empty(corpus.Validation);
        Assert.Equal(2, corpus.DroppedValidation);
    }
}
