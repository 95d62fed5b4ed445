namespace AutoGradRnn.Tests;

/// <summary>
/// The registry's texts, which <c>autogradrnn gradcheck</c> prints: every case has a name and what it covers, every
/// exclusion its reason, and a draw prints its sizes. (The reflection tests already catch a missing or renamed overload.)
/// </summary>
public class GradCheckRegistryTextTests
{
    [Fact]
    public void Every_case_has_a_name_and_covers_something_named()
    {
        Assert.All(GradCheckSuite.Cases, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.Name), $"a {c.Kind} case covering {string.Join(", ", c.Covers)} has no name");
            Assert.NotEmpty(c.Covers);
            Assert.All(c.Covers, name => Assert.False(string.IsNullOrWhiteSpace(name), $"case '{c.Name}' covers an empty name"));
        });
    }

    [Fact]
    public void Elementwise_cases_are_named_after_their_op_in_lower_case()
    {
        var names = GradCheckSuite.Cases.Select(c => c.Name).ToHashSet();
        foreach (var op in new[] { "square", "oneminus", "sqrt", "abs", "sigmoid", "tanh", "exp", "log", "relu" })
            Assert.Contains(op, names);
    }

    [Fact]
    public void Every_exclusion_gives_its_reason()
    {
        Assert.NotEmpty(GradCheckSuite.NotChecked);
        Assert.All(GradCheckSuite.NotChecked, kv => Assert.Contains("gradcheck your op", kv.Value));
    }

    [Fact]
    public void A_draw_prints_its_sizes_and_seed()
    {
        var d = GradCheckDraw.Default(7);
        Assert.Equal("shape [3,4] B 2 T 4 D 3 H 3 seed 7", d.ToString());
        Assert.Equal(new Shape(3, 4), d.Shape);
    }
}
