using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Which blocks of each cell are recurrent: under <see cref="CellInit.OrthogonalRecurrent"/> exactly the blocks acting on
/// the cell's own previous output are orthogonal (or cut from an orthogonal matrix), never an input block, a peephole or
/// a projection; every LSTM variant's forget-gate bias starts at 1; diagonal peephole and depth-gate weights are U(±1/√H).
/// </summary>
public class InitBlocksTests
{
    private const int D = 5, H = 8;
    private static readonly CellInit Orthogonal = new() { OrthogonalRecurrent = true };

    /// <summary>Largest |G − I| of the Gram matrix over the block's shorter side (0 when its rows or columns are orthonormal).</summary>
    private static double Deviation(Tensor<double> block)
    {
        var gram = block.Shape[0] <= block.Shape[1] ? MatMul(block, block, transposeB: true) : MatMul(block, block, transposeA: true);
        int n = gram.Shape[0];
        var g = gram.ToArray();
        return Enumerable.Range(0, n * n).Max(k => Math.Abs(g[k] - (k / n == k % n ? 1 : 0)));
    }

    internal static void Recurrent(Tensor<double> block, string what) =>
        Assert.True(Deviation(block) < 1e-10, $"{what} is a recurrent block but is not orthogonal");

    internal static void NotRecurrent(Tensor<double> block, string what) =>
        Assert.True(Deviation(block) > 0.1, $"{what} is drawn orthogonal, like a recurrent block");

    /// <summary>Rows [0, h) and [h, end) of a gate weight over [h_{t-1}, x_t].</summary>
    private static (Tensor<double> Recurrent, Tensor<double> Input) Split(Tensor<double> w, int h) => (Slice(w, 0, h, 0), Slice(w, h, w.Shape[0] - h, 0));

    [Fact]
    public void Gru_reset_after_draws_its_candidate_blocks_by_what_they_read()
    {
        var cell = GruResetAfter<double>.Create(D, H, 1, Orthogonal);
        Recurrent(cell.Wnh, "W_nh");
        NotRecurrent(cell.Wnx, "W_nx");
        foreach (var w in new[] { cell.Wr, cell.Wz })
        {
            Recurrent(Split(w, H).Recurrent, "the h rows of a gate");
            NotRecurrent(Split(w, H).Input, "the x rows of a gate");
        }
    }

    [Fact]
    public void Layer_norm_lstm_draws_each_gate_of_Wh_orthogonal_and_none_of_Wx()
    {
        var cell = LayerNormLstm<double>.Create(D, H, 1, Orthogonal);
        for (int g = 0; g < 4; g++)
        {
            Recurrent(Slice(cell.Wh, g * H, H, 1), $"gate {g} of W_h");
            NotRecurrent(Slice(cell.Wx, g * H, H, 1), $"gate {g} of W_x");
        }
    }

    [Fact]
    public void Peepholes_are_not_recurrent_blocks_and_diagonal_ones_are_U_of_one_over_root_H()
    {
        var full = PeepholeLstm<double>.Create(D, H, 1, diagonal: false, init: Orthogonal);
        foreach (var p in new[] { full.Pf, full.Pi, full.Po }) NotRecurrent(p, "a full peephole P");
        Recurrent(Split(full.Wf, H).Recurrent, "the h rows of W_f");
        AssertUniform([.. new[] { PeepholeLstm<double>.Create(D, 64, 1, diagonal: true) }.SelectMany(p => new[] { p.Pf, p.Pi, p.Po })], 64);
    }

    [Fact]
    public void Projection_lstm_draws_the_rows_reading_r_as_recurrent_and_starts_remembering()
    {
        const int p = 3;
        var cell = ProjectionLstm<double>.Create(D, H, p, 1, Orthogonal);
        foreach (var w in new[] { cell.Wf, cell.Wi, cell.Wc, cell.Wo })
        {
            Recurrent(Slice(w, 0, p, 0), "the r rows of a gate");
            NotRecurrent(Slice(w, p, D, 0), "the x rows of a gate");
        }
        Assert.All(ProjectionLstm<double>.Create(D, H, p, 1).Bf.ToArray(), v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void Grid_lstm_draws_each_transform_block_of_its_own_dimension_as_recurrent_and_the_input_projection_not()
    {
        var grid = GridLstm<double>.Create(D, H, 2, 1, Orthogonal);
        NotRecurrent(grid.Projection, "the input projection I");
        foreach (var (transform, time) in grid.Blocks.SelectMany(b => new[] { (b.Time, true), (b.Depth, false) }))
            foreach (var w in new[] { transform.Wu, transform.Wf, transform.Wo, transform.Wc })
            {
                var (first, second) = Split(w, H);            // H = [h^time, h^depth]
                Recurrent(time ? first : second, "the block reading the transform's own dimension");
                NotRecurrent(time ? second : first, "the block reading the other dimension");
            }
        Assert.All(GridLstm<double>.Create(D, H, 2, 1).Blocks.SelectMany(b => b.Time.Bf.ToArray().Concat(b.Depth.Bf.ToArray())), v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void Depth_gated_layer_draws_W_xd_as_an_input_block_and_its_diagonals_U_of_one_over_root_H()
    {
        var cell = DepthGatedLstmLayer<double>.Create(D, H, 1, Orthogonal);
        NotRecurrent(cell.Wxd, "W_xd");
        Recurrent(Split(cell.Wf, H).Recurrent, "the h rows of W_f");
        Assert.All(DepthGatedLstmLayer<double>.Create(D, H, 1).Bf.ToArray(), v => Assert.Equal(1.0, v));
        var wide = DepthGatedLstmLayer<double>.Create(D, 64, 1);
        AssertUniform([wide.Wcd, wide.Wld], 64);
    }

    /// <summary>Values in (−1/√h, 1/√h), both signs, spread over most of the range.</summary>
    private static void AssertUniform(Tensor<double>[] draws, int h)
    {
        double bound = 1 / Math.Sqrt(h);
        var v = draws.SelectMany(d => d.ToArray()).ToArray();
        Assert.All(v, x => Assert.InRange(x, -bound, bound));
        Assert.True(v.Min() < -0.8 * bound && v.Max() > 0.8 * bound, $"[{v.Min()}, {v.Max()}] does not cover U(±{bound})");
    }
}
