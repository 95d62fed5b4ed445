using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>The 2-D Grid LSTM: the paper's block equations by hand, its relation to the plain LSTM, its errors.</summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Cells) })]
public class GridLstmTests
{
    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static double[] Affine(double[] h, Tensor<double> w, Tensor<double> b) =>
        Enumerable.Range(0, w.Shape[1]).Select(j => b[j] + Enumerable.Range(0, h.Length).Sum(i => h[i] * w[i, j])).ToArray();

    /// <summary>The paper's LSTM(H, m) on plain arrays.</summary>
    private static (double[] H, double[] M) Transform(GridLstmTransform<double> w, double[] hiddens, double[] m)
    {
        var u = Affine(hiddens, w.Wu, w.Bu).Select(Sigmoid).ToArray();
        var f = Affine(hiddens, w.Wf, w.Bf).Select(Sigmoid).ToArray();
        var o = Affine(hiddens, w.Wo, w.Bo).Select(Sigmoid).ToArray();
        var c = Affine(hiddens, w.Wc, w.Bc).Select(Math.Tanh).ToArray();
        var mNew = m.Select((mj, j) => f[j] * mj + u[j] * c[j]).ToArray();
        var hNew = mNew.Select((mj, j) => w.OutputForm == GridLstmOutput.Paper ? Math.Tanh(o[j] * mj) : o[j] * Math.Tanh(mj)).ToArray();
        return (hNew, mNew);
    }

    // One property per output form: a [Property] takes only generated arguments, no inline data.
    [Property]
    public void One_step_through_three_layers_matches_the_papers_equations_by_hand_with_the_paper_output(CellCase c) =>
        OneStepThroughThreeLayersByHand(c, GridLstmOutput.Paper);

    [Property]
    public void One_step_through_three_layers_matches_the_papers_equations_by_hand_with_the_standard_output(CellCase c) =>
        OneStepThroughThreeLayersByHand(c, GridLstmOutput.Standard);

    private static void OneStepThroughThreeLayersByHand(CellCase c, GridLstmOutput form)
    {
        var grid = GridLstm<double>.Create(c.D, c.H, layers: 3, c.Seed, output: form);
        var state = CellGradientTests.RandomState(grid, c.B, c.Seed);
        var x = Select(c.Inputs, 1, 0);
        var next = grid.Step(state, x);
        for (int b = 0; b < c.B; b++)
        {
            double[] Row(Tensor<double> t) => Enumerable.Range(0, t.Shape[1]).Select(j => t[b, j]).ToArray();
            var hDepth = Affine(Row(x), grid.Projection, Tensor.Zeros<double>(c.H));      // I·x_t
            var mDepth = new double[c.H];                                                   // 0
            for (int n = 0; n < 3; n++)
            {
                var hiddens = Row(state.Time[n].H).Concat(hDepth).ToArray();
                var (hTime, mTime) = Transform(grid.Blocks[n].Time, hiddens, Row(state.Time[n].C));
                (hDepth, mDepth) = Transform(grid.Blocks[n].Depth, hiddens, mDepth);
                for (int j = 0; j < c.H; j++)
                {
                    Assert.Equal(hTime[j], next.Time[n].H[b, j], 1e-12);
                    Assert.Equal(mTime[j], next.Time[n].C[b, j], 1e-12);
                }
            }
            for (int j = 0; j < c.H; j++) Assert.Equal(hDepth[j], next.Top[b, j], 1e-12);
        }
    }

    [Property]
    public void With_one_layer_and_the_standard_output_the_time_dimension_is_an_lstm_on_the_projected_input(CellCase c)
    {
        var grid = GridLstm<double>.Create(c.D, c.H, layers: 1, c.Seed, output: GridLstmOutput.Standard);
        var t = grid.Blocks[0].Time;
        var lstm = new Lstm<double>(t.Wf, t.Bf, t.Wu, t.Bu, t.Wc, t.Bc, t.Wo, t.Bo);   // g^f = f, g^u = i, g^c = C̃, g^o = o; [h_{t-1}, I·x_t]
        var state = CellGradientTests.RandomState(grid, c.B, c.Seed);
        var a = Sequence.Unroll(grid, c.Inputs, state).Final.Time[0];
        var b = Sequence.Unroll(lstm, MatMul(c.Inputs, grid.Projection), state.Time[0]).Final;
        TensorAssert.Close(b.H, a.H);
        TensorAssert.Close(b.C, a.C);
    }

    [Fact]
    public void Unrolls_with_gates_for_every_block_and_outputs_the_top_depth_vector()
    {
        var grid = GridLstm<float>.Create(inputSize: 3, hiddenSize: 4, layers: 2, seed: 1);
        var (r, gates) = Sequence.UnrollWithGates(grid, Tensor.RandomNormal<float>(new Shape(2, 5, 3), 2), grid.InitialState(2));
        Assert.Equal(new Shape(2, 5, 4), r.Outputs.Shape);
        Assert.Equal(r.Final.Top.ToArray(), Select(r.Outputs, 1, 4).ToArray());
        Assert.All(gates, g => { Assert.Equal(2, g.Time.Length); Assert.Equal(2, g.Depth.Length); });
        Assert.Equal((2, 3, 4, 4), (grid.Layers, grid.InputSize, grid.OutputSize, grid.TimeSize));
    }

    [Fact]
    public void Bad_layers_and_shapes_are_named()
    {
        Assert.Contains("grid lstm: 0 layers; at least 1 is needed", Assert.Throws<ArgumentOutOfRangeException>(() => GridLstm<double>.Create(3, 4, 0, 1)).Message);
        var grid = GridLstm<double>.Create(3, 4, 2, 1);
        Assert.Contains("block 1 must map H = [h^time (4), h^depth (4)] to 4 time and 4 depth units", Assert.Throws<ShapeMismatchException>(() =>
            GridLstm<double>.Of(grid.Projection, grid.Blocks[0], grid.Blocks[1] with { Depth = GridLstm<double>.Create(3, 5, 1, 2).Blocks[0].Depth })).Message);
        Assert.Contains("grid lstm: 0 layers", Assert.Throws<ArgumentOutOfRangeException>(() => GridLstm<double>.Of(grid.Projection)).Message);
        Assert.Contains("1 layer states given for 2 layers", Assert.Throws<ShapeMismatchException>(() =>
            grid.Step(grid.InitialState(2) with { Time = [grid.InitialState(2).Time[0]] }, Tensor.Zeros<double>(2, 3))).Message);
        Assert.Contains("grid lstm step: [2,2]: input must be [batch, 3]", Assert.Throws<ShapeMismatchException>(() => grid.Step(grid.InitialState(2), Tensor.Zeros<double>(2, 2))).Message);
        Assert.Contains("the cell state must be [2, 4]", Assert.Throws<ShapeMismatchException>(() =>
            grid.Blocks[0].Time.Apply(Tensor.Zeros<double>(2, 8), Tensor.Zeros<double>(2, 5))).Message);
        Assert.Contains("H must be [batch, 8]", Assert.Throws<ShapeMismatchException>(() => grid.Blocks[0].Time.Apply(Tensor.Zeros<double>(2, 7), Tensor.Zeros<double>(2, 4))).Message);
    }
}
