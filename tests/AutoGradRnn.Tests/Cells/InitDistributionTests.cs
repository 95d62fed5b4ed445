using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// The distribution of every initialised parameter, not only its bounds: values fill U(−b, b) (both signs, reaching
/// near ±b, variance b²/3), so a mutant that shrinks or grows a bound, drops a sign or turns a draw into a constant is
/// seen. Which parameters are zero or one is checked per preset.
/// </summary>
public class InitDistributionTests
{
    /// <summary>Asserts <paramref name="values"/> look drawn from U(−bound, bound): inside, reaching both ends, mean 0, variance bound²/3.</summary>
    private static void UniformIn(double[] values, double bound)
    {
        Assert.True(values.Length >= 200, $"{values.Length} values are too few for statistics");
        Assert.All(values, v => Assert.InRange(v, -bound, bound));
        Assert.True(values.Max() > 0.9 * bound, $"max {values.Max()} does not reach the bound {bound}");
        Assert.True(values.Min() < -0.9 * bound, $"min {values.Min()} does not reach −{bound}");
        double mean = values.Average(), variance = values.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.1 * bound, 0.1 * bound);
        Assert.InRange(variance / (bound * bound / 3), 0.8, 1.2);
    }

    [Fact]
    public void PyTorch_uniform_fills_every_weight_and_non_forget_bias_with_U_of_one_over_root_H()
    {
        const int d = 20, h = 36;
        var cell = Lstm<double>.Create(d, h, seed: 4);
        double bound = 1 / Math.Sqrt(h);
        foreach (var w in new[] { cell.Wf, cell.Wi, cell.Wc, cell.Wo })
        {
            UniformIn(Slice(w, 0, h, 0).ToArray(), bound);      // the recurrent block: same bound as the input block (1/√H, not Glorot)
            UniformIn(Slice(w, h, d, 0).ToArray(), bound);
        }
        UniformIn([.. cell.Bi.ToArray(), .. cell.Bc.ToArray(), .. cell.Bo.ToArray(), .. Gru<double>.Create(d, h, 5).Bz.ToArray(),
            .. Gru<double>.Create(d, h, 6).Br.ToArray(), .. Gru<double>.Create(d, h, 7).B.ToArray()], bound);
        Assert.All(cell.Bf.ToArray(), v => Assert.Equal(1.0, v));                       // unit forget bias by default
        UniformIn([.. Enumerable.Range(0, 8).SelectMany(s => Lstm<double>.Create(d, h, s, CellInit.PyTorch).Bf.ToArray())], bound);  // PyTorch: no trick
    }

    [Fact]
    public void Every_draw_is_its_own_value_in_a_cell()
    {
        var cell = Lstm<double>.Create(4, 16, seed: 2);
        var all = new[] { cell.Wf, cell.Wi, cell.Wc, cell.Wo, cell.Bi, cell.Bc, cell.Bo }.SelectMany(t => t.ToArray()).ToArray();
        Assert.True(all.Distinct().Count() > all.Length * 0.99, "the weights repeat");
        Assert.NotEqual(cell.Wf.ToArray(), cell.Wi.ToArray());
    }

    [Fact]
    public void Glorot_uses_the_fan_of_each_block_and_zero_biases_with_or_without_the_forget_trick()
    {
        const int d = 12, h = 36;
        var glorot = new CellInit { Weights = WeightInit.GlorotUniform };
        var cell = Lstm<double>.Create(d, h, 3, glorot);
        foreach (var w in new[] { cell.Wf, cell.Wi, cell.Wc, cell.Wo })
        {
            UniformIn(Slice(w, 0, h, 0).ToArray(), Math.Sqrt(6.0 / (h + h)));   // not orthogonal: a Glorot [H, H] block
            UniformIn(Slice(w, h, d, 0).ToArray(), Math.Sqrt(6.0 / (d + h)));
        }
        Assert.All(new[] { cell.Bi, cell.Bc, cell.Bo }.SelectMany(t => t.ToArray()), v => Assert.Equal(0.0, v));
        Assert.All(cell.Bf.ToArray(), v => Assert.Equal(1.0, v));
        var plain = Lstm<double>.Create(d, h, 3, glorot with { UnitForgetBias = false });
        Assert.All(plain.Bf.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void A_projection_is_U_of_one_over_root_H_or_Glorot_over_H_plus_P()
    {
        const int d = 3, h = 30, p = 10;
        UniformIn(ProjectionLstm<double>.Create(d, h, p, 1).Whr.ToArray(), 1 / Math.Sqrt(h));
        UniformIn(ProjectionLstm<double>.Create(d, h, p, 1, new CellInit { Weights = WeightInit.GlorotUniform }).Whr.ToArray(), Math.Sqrt(6.0 / (h + p)));
        // The recurrent blocks of a projected cell act on the P outputs: Glorot over (P + H).
        var glorot = ProjectionLstm<double>.Create(d, h, p, 1, new CellInit { Weights = WeightInit.GlorotUniform });
        UniformIn(Slice(glorot.Wf, 0, p, 0).ToArray(), Math.Sqrt(6.0 / (p + h)));
    }

    [Fact]
    public void Chrono_biases_spread_over_the_whole_log_range_of_the_length()
    {
        // b_f = log(1 + u (T − 2)), u ~ U(0, 1): for T = 40 the 256 draws reach close to log 39 and start near 0.
        var lstm = (Lstm<double>)CellInit.Chrono(Lstm<double>.Create(2, 256, 1), 40, new Rng(5));
        var b = lstm.Bf.ToArray();
        Assert.All(b, v => Assert.InRange(v, 0, Math.Log(39)));
        Assert.True(b.Max() > Math.Log(35), $"max {b.Max()}");
        Assert.True(b.Min() < Math.Log(1.5), $"min {b.Min()}");
        // The median of log(1 + 38u) is log 20.
        Assert.InRange(b.OrderBy(v => v).ElementAt(128), Math.Log(16), Math.Log(24));
        // Length 2 (or less) has no range to draw from: a sliver above 0, never negative or NaN.
        foreach (int length in new[] { 2, 1 })
            Assert.All(((Lstm<double>)CellInit.Chrono(Lstm<double>.Create(2, 16, 1), length, new Rng(5))).Bf.ToArray(), v => Assert.InRange(v, 0, 1.1e-3));
    }

    [Fact]
    public void Chrono_sets_the_peephole_and_coupled_forget_biases_too()
    {
        var peephole = (PeepholeLstm<double>)CellInit.Chrono(PeepholeLstm<double>.Create(2, 64, 1, diagonal: true), 40, new Rng(5));
        Assert.All(peephole.Bf.ToArray(), v => Assert.InRange(v, 0, Math.Log(39)));
        Assert.True(peephole.Bf.ToArray().Max() > Math.Log(20));
        Assert.Equal(peephole.Bf.ToArray().Select(v => -v), peephole.Bi.ToArray());
        var coupled = (CoupledLstm<double>)CellInit.Chrono(CoupledLstm<double>.Create(2, 64, 1), 40, new Rng(5));
        Assert.All(coupled.Bf.ToArray(), v => Assert.InRange(v, 0, Math.Log(39)));
        Assert.True(coupled.Bf.ToArray().Max() > Math.Log(20));
        var gru = (Gru<double>)CellInit.Chrono(Gru<double>.Create(2, 64, 1), 40, new Rng(5));
        Assert.True(gru.Bz.ToArray().Min() < -Math.Log(20));
    }
}
