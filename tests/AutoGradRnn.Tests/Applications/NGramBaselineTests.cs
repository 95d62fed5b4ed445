using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests;

/// <summary>
/// The n-gram count baseline: hand-computed probabilities and bits per character, a distribution over the vocabulary
/// for every context, and (n, k) chosen on the split it is given.
/// </summary>
[Properties(Arbitrary = new[] { typeof(NGramBaselineTests.Cases) })]
public class NGramBaselineTests
{
    // "abab b" as ids: order 1 counts a:2 b:3 of 5; order 2 contexts a→b ×2, b→a ×1, b→b ×1; order 3 "ab"→a ×1, "ab"→b ×1, "ba"→b ×1.
    private static readonly int[] Train = [0, 1, 0, 1, 1];

    [Fact]
    public void Probabilities_are_the_add_k_counts_computed_by_hand()
    {
        var model = NGramBaseline.Count(Train, 2, maxOrder: 3);
        Assert.Equal(4.0 / 7, model.Probability(1, 1, [], 1), 15);            // (3 + 1) / (5 + 2)
        Assert.Equal(2.5 / 6, model.Probability(1, 0.5, [1, 1], 0), 15);      // (2 + 0.5) / (5 + 1): order 1 ignores the history
        Assert.Equal(0.75, model.Probability(2, 1, [0], 1), 15);              // (2 + 1) / (2 + 2)
        Assert.Equal(0.5, model.Probability(2, 1, [1, 0, 1], 0), 15);         // only the last id counts: (1 + 1) / (2 + 2)
        Assert.Equal(1.1 / 2.2, model.Probability(3, 0.1, [0, 1], 1), 15);   // "ab" → b: (1 + 0.1) / (2 + 0.2)
        Assert.Equal(1.1 / 1.2, model.Probability(3, 0.1, [1, 0], 1), 15);   // "ba" → b: (1 + 0.1) / (1 + 0.2)
        Assert.Equal(0.5, model.Probability(3, 0.1, [1, 1], 0), 15);          // "bb" never seen: uniform 1/V
        Assert.Equal(4.0 / 7, model.Probability(3, 1, [], 1), 15);            // no history: the order it allows (1)
    }

    [Fact]
    public void Bits_per_character_is_the_mean_negative_log2_probability_with_the_text_before_as_context()
    {
        var model = NGramBaseline.Count(Train, 2, maxOrder: 3);
        // Positions 5 and 6 of "abab" + "b" + "ab": b→a has p 1/2, a→b has p 3/4.
        Assert.Equal((1 - Math.Log2(0.75)) / 2, model.BitsPerCharacter(2, 1, [0, 1, 0, 1, 1, 0, 1], 5, 2), 14);
        // At the start of a text the context is shorter: position 0 uses order 1 (p(b) = 4/7), position 1 order 2 (b→a: 1/2).
        Assert.Equal((-Math.Log2(4.0 / 7) + 1) / 2, model.BitsPerCharacter(3, 1, [1, 0], 0, 2), 14);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.BitsPerCharacter(4, 1, [0, 1], 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.BitsPerCharacter(2, 0, [0, 1], 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.BitsPerCharacter(2, 1, [0, 2], 0, 2));   // id 2 is outside V = 2
    }

    /// <summary>A training text over V characters, an order, a smoothing constant and a history.</summary>
    public sealed record NGramCase(int Vocabulary, int[] Train, int Order, double K, int[] History)
    {
        public override string ToString() => $"V {Vocabulary} order {Order} k {K} train [{string.Join(",", Train)}] history [{string.Join(",", History)}]";
    }

    public static class Cases
    {
        public static Arbitrary<NGramCase> NGrams() => Arb.From(
            from v in Gen.Choose(1, 4)
            from train in Gen.ArrayOf(Gen.Choose(0, v - 1)).Where(t => t.Length > 0)
            from order in Gen.Choose(1, 5)
            from k in Gen.Elements(NGramBaseline.DefaultSmoothing.ToArray())
            from cut in Gen.Choose(0, train.Length)
            from start in Gen.Choose(0, cut)
            select new NGramCase(v, train, order, k, train[start..cut]));   // a piece of the text, so its contexts are often seen
    }

    [Property(MaxTest = 200)]
    public void The_probabilities_over_the_vocabulary_sum_to_one_for_every_context(NGramCase c)
    {
        var model = NGramBaseline.Count(c.Train, c.Vocabulary);
        var p = Enumerable.Range(0, c.Vocabulary).Select(next => model.Probability(c.Order, c.K, c.History, next)).ToArray();
        Assert.All(p, x => Assert.InRange(x, 0, 1));
        Assert.Equal(1.0, p.Sum(), 12);
    }

    [Fact]
    public void N_and_k_are_chosen_on_the_split_given_and_scored_there()
    {
        // Training text: 0 1 2 repeated with 10% noise. Validation comes from the same process, so a long context helps;
        // the "test" text is uniform noise, where only the unigram frequencies (a third each) are right.
        var rng = new Random(7);
        int[] Process(int n) => Enumerable.Range(0, n).Select(i => rng.NextDouble() < 0.1 ? rng.Next(3) : i % 3).ToArray();
        var train = Process(3000);
        var validation = Process(600);
        var test = Enumerable.Range(0, 600).Select(_ => rng.Next(3)).ToArray();
        var model = NGramBaseline.Count(train, 3);
        var spans = new List<(int, int)> { (0, 300), (350, 250) };

        var chosen = model.Choose(validation, spans);
        Assert.Equal(5 * 7, chosen.Grid.Count);
        foreach (var s in chosen.Grid)   // every grid entry is that (n, k)'s score on the validation spans
            Assert.Equal((model.BitsPerCharacter(s.Order, s.K, validation, 0, 300) * 300 + model.BitsPerCharacter(s.Order, s.K, validation, 350, 250) * 250) / 550,
                s.BitsPerCharacter, 10);
        var best = chosen.Grid.MinBy(s => s.BitsPerCharacter)!;
        Assert.Equal((best.Order, best.K, best.BitsPerCharacter), (chosen.Order, chosen.K, chosen.BitsPerCharacter));
        Assert.Equal(550, chosen.Characters);
        Assert.True(chosen.Order >= 2, $"validation chose order {chosen.Order}");

        var onTest = model.Choose(test, spans);
        Assert.Equal(1, onTest.Order);   // the choice follows the split it is given: scoring on test would pick another model
        Assert.True(model.BitsPerCharacter(chosen.Order, chosen.K, test, 0, 600) > model.BitsPerCharacter(1, onTest.K, test, 0, 600));
    }
}
