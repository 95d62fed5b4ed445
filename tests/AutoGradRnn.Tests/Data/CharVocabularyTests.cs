using System.Text;

namespace AutoGradRnn.Tests;

/// <summary>
/// The vocabulary's contract case by case: built sorted ascending by code point, refusing an empty string, a repeated
/// character (named) and an index outside [0, Size) (Size itself included), and naming a character by its code point
/// alone when it is a control or white-space character, with its glyph otherwise.
/// </summary>
public class CharVocabularyTests
{
    private static readonly CharVocabulary Abc = new("abc");

    [Fact]
    public void From_text_the_distinct_characters_are_sorted_ascending()
    {
        Assert.Equal("\n abc", CharVocabulary.FromText("cab\nba c").Characters);
        Assert.Equal("az🐳", CharVocabulary.FromText("🐳za🐳").Characters);
        Assert.Equal(3, CharVocabulary.FromText("🐳za🐳").Size);
    }

    [Fact]
    public void Empty_text_and_empty_characters_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => CharVocabulary.FromText(""));
        Assert.Equal("text", e.ParamName);
        Assert.StartsWith("vocabulary: the text is empty", e.Message);
        e = Assert.Throws<ArgumentException>(() => new CharVocabulary(""));
        Assert.Equal("characters", e.ParamName);
        Assert.StartsWith("vocabulary: no characters", e.Message);
    }

    [Theory]
    [InlineData("aba", "character 'a' (U+0061) appears twice")]
    [InlineData("x  ", "character U+0020 appears twice")]
    [InlineData("🐳a🐳", "character '🐳' (U+1F433) appears twice")]
    public void A_repeated_character_is_named(string characters, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new CharVocabulary(characters));
        Assert.Equal("characters", e.ParamName);
        Assert.StartsWith("vocabulary: " + expected, e.Message);
    }

    [Fact]
    public void Symbol_and_decode_accept_0_to_size_minus_1_only()
    {
        Assert.Equal("a", Abc.Symbol(0));
        Assert.Equal("c", Abc.Symbol(2));
        Assert.Equal("cab", Abc.Decode([2, 0, 1]));
        Assert.Equal("", Abc.Decode([]));
        foreach (int id in new[] { 3, -1 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Abc.Symbol(id));
            Assert.Equal("id", e.ParamName);
            Assert.StartsWith($"vocabulary: index {id} is outside [0, 3)", e.Message);
            e = Assert.Throws<ArgumentOutOfRangeException>(() => Abc.Decode([0, id]));
            Assert.Equal("ids", e.ParamName);
            Assert.StartsWith($"vocabulary: index {id} is outside [0, 3)", e.Message);
        }
    }

    [Theory]
    [InlineData("\t", "U+0009")]          // control and white space
    [InlineData("\u0001", "U+0001")]      // control, not white space
    [InlineData("\u00A0", "U+00A0")]      // white space, not control
    [InlineData("\u2003", "U+2003")]      // white space, not control
    [InlineData("é", "'é' (U+00E9)")]
    [InlineData("🦀", "'🦀' (U+1F980)")]
    public void Describe_shows_the_glyph_only_of_a_printable_character(string c, string expected)
    {
        Assert.Equal(expected, CharVocabulary.Describe(Rune.GetRuneAt(c, 0)));
        var e = Assert.Throws<ArgumentException>(() => Abc.Encode("ab" + c));
        Assert.StartsWith($"vocabulary: character {expected} at position 2 (line 1, column 3) is not in the model's vocabulary of 3 characters", e.Message);
        Assert.Equal("text", e.ParamName);
    }

    [Fact]
    public void Where_counts_characters_and_lines_from_1()
    {
        Assert.Equal("position 0 (line 1, column 1)", CharVocabulary.Where("ab", 0));
        Assert.Equal("position 1 (line 1, column 2)", CharVocabulary.Where("ab", 1));
        Assert.Equal("position 3 (line 2, column 1)", CharVocabulary.Where("ab\ncd", 3));
        Assert.Equal("position 5 (line 2, column 3)", CharVocabulary.Where("ab\ncd", 5));
        Assert.Equal("position 2 (line 1, column 3)", CharVocabulary.Where("🐳🐳x", 2));
        Assert.Equal("position 3 (line 3, column 1)", CharVocabulary.Where("🐳\n\nx", 3));
        // A position past the end stops at the end (the loop never reads past the text).
        Assert.Equal("position 9 (line 2, column 3)", CharVocabulary.Where("ab\ncd", 9));
        Assert.Equal("position 1 (line 1, column 1)", CharVocabulary.Where("", 1));
    }

    [Fact]
    public void An_unknown_character_on_a_later_line_is_placed_by_line_and_column()
    {
        var e = Assert.Throws<ArgumentException>(() => new CharVocabulary("\nabc").Encode("ab\n\ncaz"));
        Assert.Contains("'z' (U+007A) at position 6 (line 3, column 3)", e.Message);
    }

    [Fact]
    public void A_lone_surrogate_is_refused_with_its_position_and_value()
    {
        var e = Assert.Throws<ArgumentException>(() => new CharVocabulary("ab\uD83D"));
        Assert.Equal("characters", e.ParamName);
        Assert.StartsWith("vocabulary: position 2 (line 1, column 3) holds a lone surrogate U+D83D, half of a character; the text is not valid UTF-16", e.Message);
        e = Assert.Throws<ArgumentException>(() => CharVocabulary.Count("🐳\n\uDC33"));
        Assert.StartsWith("vocabulary: position 2 (line 2, column 1) holds a lone surrogate U+DC33", e.Message);
        Assert.Throws<ArgumentException>(() => CharVocabulary.FromText("a\uD800"));
    }

    [Fact]
    public void Count_counts_runes()
    {
        Assert.Equal(0, CharVocabulary.Count(""));
        Assert.Equal(3, CharVocabulary.Count("a🐳b"));
        Assert.Equal(5, CharVocabulary.Count("ab\ncd"));
    }

    [Fact]
    public void Encode_gives_one_id_per_rune_and_encode_known_drops_unknown_characters_and_lone_surrogates()
    {
        var v = new CharVocabulary("b🐳a");
        Assert.Equal([2, 1, 0, 1], v.Encode("a🐳b🐳"));
        Assert.Equal([2, 0, 1], v.EncodeKnown("a?b🦀🐳"));
        Assert.Equal([2, 0], v.EncodeKnown("a\uD800b"));
        Assert.Equal([], v.EncodeKnown("xyz"));
        // a lone surrogate is dropped even when the vocabulary holds U+FFFD, what decoding it reports
        Assert.Equal([0, 0], new CharVocabulary("a\uFFFD").EncodeKnown("a\uD800a"));
        Assert.Equal(new[] { new Rune('b'), new Rune(0x1F433), new Rune('a') }, v.Symbols);
        Assert.Equal(3, v.Size);
    }

    [Fact]
    public void Vocabularies_are_equal_when_their_characters_are_in_the_same_order()
    {
        Assert.Equal(new CharVocabulary("abc"), Abc);
        Assert.Equal(new CharVocabulary("abc").GetHashCode(), Abc.GetHashCode());
        Assert.NotEqual(new CharVocabulary("acb"), Abc);
        Assert.False(Abc.Equals(null));
        Assert.True(Abc.Equals(CharVocabulary.FromText("cba")));
    }
}
