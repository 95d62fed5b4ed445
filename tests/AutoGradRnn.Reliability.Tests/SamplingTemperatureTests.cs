namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// sample --temperature 1e-50 printed one repeated character: 1e-50 is 0 in float32, logits / 0 gave NaN probabilities
/// and the sampler fell through to the last character. A tiny temperature must mean argmax sampling.
/// </summary>
public class SamplingTemperatureTests
{
    [Theory]
    [InlineData(1e-50)]
    [InlineData(1e-300)]
    [InlineData(double.Epsilon)]
    public void A_tiny_temperature_samples_the_argmax(double temperature)
    {
        float[] logits = [1f, 3f, 2f, -4f];
        var p = CharLanguageModel.TemperatureSoftmax(logits, temperature);
        Assert.Equal([0.0, 1.0, 0.0, 0.0], p);
        for (long seed = 0; seed < 20; seed++) Assert.Equal(1, CharLanguageModel.SampleIndex(p, new Rng(seed)));
    }

    [Fact]
    public void A_huge_temperature_is_uniform_and_an_ordinary_one_is_the_softmax()
    {
        Assert.All(CharLanguageModel.TemperatureSoftmax([1f, 3f, 2f], 1e300), x => Assert.Equal(1.0 / 3, x, 12));
        var p = CharLanguageModel.TemperatureSoftmax([0f, (float)Math.Log(3)], 1.0);
        Assert.Equal(0.25, p[0], 6);
        Assert.Equal(0.75, p[1], 6);
    }

    [Fact]
    public void Sampling_a_trained_model_at_a_tiny_temperature_is_greedy_whatever_the_seed()
    {
        using var dir = new TempDir();
        var text = string.Concat(Enumerable.Repeat("abcd abcd abcd dcba ", 40));
        CharLanguageModel.Train(text, new CharModelOptions { Hidden = 8, Steps = 30, Batch = 2, SequenceLength = 8, LearningRate = 0.05 }, dir.File("m.safetensors"));
        var a = CharLanguageModel.Sample(dir.File("m.safetensors"), 40, 1e-50, "abc", seed: 1);
        var b = CharLanguageModel.Sample(dir.File("m.safetensors"), 40, 1e-50, "abc", seed: 2);
        Assert.Equal(a, b);
        Assert.True(a.Distinct().Count() > 1, $"'{a}' is one repeated character");
    }
}
