namespace AutoGradRnn.Tests;

/// <summary>
/// <see cref="GridLstm{T}.Of"/> checks each of the four sizes of every block on its own (a block wrong in one size
/// only is refused, naming the block and its transforms), and the rank of the projection.
/// </summary>
public class GridLstmAssemblyTests
{
    private static readonly GridLstm<double> Grid = GridLstm<double>.Create(3, 4, 2, 1);

    private static GridLstmTransform<double> Transform(int first, int second, int size, int recurrent) =>
        GridLstmTransform<double>.Create(new Rng(5), new CellInit(), first, second, size, recurrent, GridLstmOutput.Paper);

    [Theory]
    [InlineData("time", 4, 4, 5, "[8,5] and [8,4]")]    // time units 5 for 4, input right
    [InlineData("depth", 4, 4, 5, "[8,4] and [8,5]")]   // depth units 5 for 4, input right
    [InlineData("time", 4, 5, 4, "[9,4] and [8,4]")]    // time transform reads 9, units right
    [InlineData("depth", 5, 4, 4, "[8,4] and [9,4]")]   // depth transform reads 9, units right
    public void A_block_wrong_in_one_size_only_is_refused(string which, int first, int second, int size, string shapes)
    {
        var block = Grid.Blocks[1];
        block = which == "time" ? block with { Time = Transform(first, second, size, 0) } : block with { Depth = Transform(first, second, size, 1) };
        var e = Assert.Throws<ShapeMismatchException>(() => GridLstm<double>.Of(Grid.Projection, Grid.Blocks[0], block));
        Assert.Contains($"block 1 must map H = [h^time (4), h^depth (4)] to 4 time and 4 depth units, but its transforms are {shapes}", e.Message);
    }

    [Fact]
    public void The_projection_must_be_a_matrix_and_well_formed_blocks_assemble()
    {
        Assert.Contains("the input projection I must be [D, k]", Assert.Throws<ShapeMismatchException>(() =>
            GridLstm<double>.Of(Tensor.Zeros<double>(12), Grid.Blocks)).Message);
        var again = GridLstm<double>.Of(Grid.Projection, Grid.Blocks[0], Grid.Blocks[1] with { Time = Transform(4, 4, 4, 0), Depth = Transform(4, 4, 4, 1) });
        Assert.Equal((3, 4, 2), (again.InputSize, again.OutputSize, again.Layers));
    }
}
