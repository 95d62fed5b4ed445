namespace AutoGradRnn.Tests;

/// <summary>Additive attention's weights are U(±1/√fan_in): W_s over the query size, W_h over the value size, v over the attention size.</summary>
public class AttentionInitTests
{
    private static void UniformIn(double[] values, double bound)
    {
        Assert.All(values, v => Assert.InRange(v, -bound, bound));
        Assert.True(values.Max() > 0.9 * bound && values.Min() < -0.9 * bound, $"[{values.Min()}, {values.Max()}] does not fill ±{bound}");
    }

    [Fact]
    public void Each_weight_is_uniform_over_one_over_root_of_its_fan_in()
    {
        var attention = AdditiveAttention<double>.Create(querySize: 9, valueSize: 25, attentionSize: 64, seed: 2);
        Assert.Equal((9, 25, 64), (attention.QuerySize, attention.ValueSize, attention.AttentionSize));
        UniformIn(attention.Ws.ToArray(), 1 / 3.0);
        UniformIn(attention.Wh.ToArray(), 1 / 5.0);
        UniformIn(attention.V.ToArray(), 1 / 8.0);
    }

    [Fact]
    public void A_size_below_1_is_named_and_1_is_enough()
    {
        Assert.Equal("querySize", Assert.Throws<ArgumentOutOfRangeException>(() => AdditiveAttention<double>.Create(0, 0, 0, 1)).ParamName);
        Assert.Equal("valueSize", Assert.Throws<ArgumentOutOfRangeException>(() => AdditiveAttention<double>.Create(1, 0, 0, 1)).ParamName);
        Assert.Equal("attentionSize", Assert.Throws<ArgumentOutOfRangeException>(() => AdditiveAttention<double>.Create(1, 1, -1, 1)).ParamName);
        Assert.StartsWith("additive attention: query size 1, value size 2 and attention size 0 must be positive",
            Assert.Throws<ArgumentOutOfRangeException>(() => AdditiveAttention<double>.Create(1, 2, 0, 1)).Message, StringComparison.Ordinal);
        var tiny = AdditiveAttention<double>.Create(1, 1, 1, 1);
        var (context, weights) = tiny.Attend(Tensor.Ones<double>(1, 1), tiny.Remember(Tensor.Ones<double>(1, 2, 1)));
        Assert.Equal([0.5, 0.5], weights.ToArray());
        Assert.Equal([1.0], context.ToArray());
    }
}
