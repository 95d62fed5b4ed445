using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>The README's C# example, verbatim in substance, so the README cannot rot.</summary>
public class ReadmeExampleTests
{
    private sealed record Layer(Tensor<double> W, Tensor<double> B);

    [Fact]
    public void The_readme_csharp_example_runs_and_its_gradients_check()
    {
        var layer = new Layer(Tensor.RandomNormal<double>(new Shape(3, 2), seed: 1), Tensor.Zeros<double>(2));
        var x = Tensor.FromRows([1.0, 2.0, 3.0], [0.5, -1.0, 0.0]);

        Tensor<double> Loss(Layer p) => Mean(Square(Tanh(MatMul(x, p.W) + p.B)));

        var (loss, grads) = Autodiff.ValueAndGrad((Layer p) => Loss(p))(layer);
        var report = GradCheck.Check((Layer p) => Loss(p), layer);

        Assert.True(report.Passed, report.Report);
        Assert.Equal(layer.W.Shape, grads.W.Shape);
        Assert.True(loss.ToScalar() > 0);
    }
}

public class ReadmeLstmExampleTests
{
    [Fact]
    public void The_readme_lstm_example_runs()
    {
        var lstm = Lstm<float>.Create(inputSize: 3, hiddenSize: 8, seed: 1);
        var x = Tensor.RandomNormal<float>(new Shape(4, 10, 3), seed: 2);
        var target = Tensor.Zeros<float>(4, 8);

        Tensor<float> Loss(Lstm<float> cell) =>
            MeanSquaredError(Sequence.Unroll(cell, x).Final.H, target);

        var (loss, grads) = Autodiff.ValueAndGrad((Lstm<float> c) => Loss(c))(lstm);
        Assert.Equal(lstm.Wf.Shape, grads.Wf.Shape);
        Assert.True(loss.ToScalar() > 0);
        Assert.True(grads.Wf.IsFinite());
    }
}
