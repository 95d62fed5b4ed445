using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

public sealed record Dense(Tensor<double> W, Tensor<double> B, int Width);
public sealed record TwoLayers(Dense First, Dense[] Rest, List<Tensor<double>> Extra, string Name);
public sealed record InitOnly
{
    public required Tensor<double> Scale { get; init; }
    public int Derived => Scale.Count;   // computed: not part of the tree
}

public class AutodiffTreeTests
{
    private static Dense MakeDense(int i, int o, long seed) =>
        new(Tensor.RandomNormal<double>(new Shape(i, o), seed), Tensor.RandomNormal<double>(new Shape(o), seed + 1), o);

    private static Tensor<double> Apply(Dense d, Tensor<double> x) => Tanh(MatMul(x, d.W) + d.B);

    [Fact]
    public void Grad_returns_gradients_shaped_like_a_nested_parameter_record()
    {
        var p = new TwoLayers(MakeDense(3, 4, 1), [MakeDense(4, 2, 3)], [Tensor.FromArray([0.5])], "net");
        var x = Tensor.RandomNormal<double>(new Shape(5, 3), 9);
        Tensor<double> Loss(TwoLayers q) => Sum(Apply(q.Rest[0], Apply(q.First, x))) * q.Extra[0].Reshape();
        var (value, g) = Autodiff.ValueAndGrad((TwoLayers q) => Loss(q))(p);

        Assert.Equal(Loss(p).ToScalar(), value.ToScalar(), 1e-12);
        Assert.False(value.IsTracked);
        Assert.Equal("net", g.Name);                  // non-tensor fields carried along
        Assert.Equal(4, g.First.Width);
        Assert.Equal(p.First.W.Shape, g.First.W.Shape);
        Assert.Equal(p.Rest[0].B.Shape, g.Rest[0].B.Shape);
        Assert.False(g.First.W.IsTracked);
        Props.GradOk((TwoLayers q) => Loss(q), p);

        var names = ParameterTree<double>.Flatten(p).Select(n => n.Name);
        Assert.Equal(["First.W", "First.B", "Rest[0].W", "Rest[0].B", "Extra[0]"], names);
    }

    [Fact]
    public void Init_only_records_and_tuples_are_trees_too()
    {
        var p = new InitOnly { Scale = Tensor.FromArray([2.0, 3.0]) };
        var g = Autodiff.Grad((InitOnly q) => Sum(q.Scale * q.Scale))(p);
        TensorAssert.Close(Tensor.FromArray([4.0, 6.0]), g.Scale);
        var t = Autodiff.Grad(((Tensor<double> A, Tensor<double> B) q) => Sum(q.A * q.B))((Tensor.FromArray([1.0]), Tensor.FromArray([5.0])));
        TensorAssert.Close(Tensor.FromArray([5.0]), t.A);
    }

    [Fact]
    public void A_function_that_ignores_its_parameters_has_zero_gradient()
    {
        var g = Autodiff.Grad((Tensor<double> w) => Tensor.Scalar(1.0))(Tensor.FromArray([1.0, 2.0]));
        TensorAssert.Close(Tensor.Zeros<double>(2), g);
    }

    [Fact]
    public void Grad_requires_a_scalar_output()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Autodiff.Grad((Tensor<double> w) => w * 2.0)(Tensor.FromArray([1.0, 2.0])));
        Assert.Contains("must return a scalar", e.Message);
    }

    [Fact]
    public void Map2_and_unflatten_check_structure()
    {
        var a = MakeDense(2, 2, 1);
        var sum = ParameterTree<double>.Map2(a, a, (x, y) => x + y);
        TensorAssert.Close(a.W * 2.0, sum.W);
        var e = Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Unflatten(a, [Tensor.Zeros<double>(3, 3), Tensor.Zeros<double>(2)]));
        Assert.Contains("W", e.Message);
        Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Unflatten(a, [a.W]));
    }

    [Fact]
    public void Value_and_grad_with_aux_returns_the_auxiliary_data()
    {
        var (value, grad, aux) = Autodiff.ValueAndGradWithAux((Tensor<double> w) => (Sum(w * w), w.Count))(Tensor.FromArray([3.0]));
        Assert.Equal(9, value.ToScalar());
        Assert.Equal(6, grad.ToScalar());
        Assert.Equal(1, aux);
    }
}
