namespace AutoGradRnn.Tests;

/// <summary><see cref="DepthGatedLstm{T}.Of"/> refuses an upper layer wrong in its input size alone or its hidden size alone.</summary>
public class DepthGatedAssemblyTests
{
    [Theory]
    [InlineData(5, 4)]   // reads 5, keeps 4
    [InlineData(4, 5)]   // reads 4, keeps 5
    public void An_upper_layer_wrong_in_one_size_only_is_refused(int input, int hidden)
    {
        var e = Assert.Throws<ShapeMismatchException>(() =>
            DepthGatedLstm<double>.Of(Lstm<double>.Create(3, 4, 1), DepthGatedLstmLayer<double>.Create(4, 4, 2), DepthGatedLstmLayer<double>.Create(input, hidden, 3)));
        Assert.Contains($"layer 2 has input {input} and hidden {hidden}, but every layer above the first must read and keep H = 4", e.Message);
        Assert.Equal(3, DepthGatedLstm<double>.Of(Lstm<double>.Create(3, 4, 1), DepthGatedLstmLayer<double>.Create(4, 4, 2)).InputSize);
    }
}
