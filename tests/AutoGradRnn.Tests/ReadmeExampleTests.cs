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
