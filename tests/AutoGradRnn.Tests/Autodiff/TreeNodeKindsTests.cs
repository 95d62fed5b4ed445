using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>An immutable class with a short and a full constructor, whose parameters differ from its properties in case only.</summary>
public sealed class TwoConstructorLayer
{
    public TwoConstructorLayer(Tensor<double> w) : this(w, Tensor.Zeros<double>(1)) { }
    public TwoConstructorLayer(Tensor<double> w, Tensor<double> b) { W = w; B = b; }
    public Tensor<double> W { get; }
    public Tensor<double> B { get; }
}

/// <summary>A class whose fullest constructor takes a value no property holds; the walker rebuilds it through the other.</summary>
public sealed class SeededLayer
{
    public SeededLayer(Tensor<double> w) => W = w;
    public SeededLayer(Tensor<double> w, int seed) : this(w) => _ = seed;
    public Tensor<double> W { get; }
}

/// <summary>A user record that also implements <see cref="System.Runtime.CompilerServices.ITuple"/>: still walked as a record.</summary>
public sealed record TupleLikePair(Tensor<double> A, Tensor<double> B) : System.Runtime.CompilerServices.ITuple
{
    public object? this[int index] => index == 0 ? A : B;
    public int Length => 2;
}

/// <summary>
/// The node kinds at the edges of what the tree walker accepts: the largest tuple it opens (7 items), an immutable class
/// rebuilt through its fullest constructor, a masked loss whose mask drops the only axis.
/// </summary>
public class TreeNodeKindsTests
{
    private static Tensor<double> V(double v) => Tensor.FromArray([v]);

    [Fact]
    public void A_class_is_rebuilt_through_the_constructor_whose_parameters_all_match_properties()
    {
        var layer = new SeededLayer(V(3));
        Assert.Equal(["W"], ParameterTree<double>.Flatten(layer).Select(l => l.Name));
        Assert.Equal(6.0, Autodiff.Grad((SeededLayer p) => Sum(p.W * p.W), layer).W.Data[0]);
    }

    [Fact]
    public void A_user_record_implementing_ITuple_is_walked_as_a_record_not_as_a_tuple()
    {
        var pair = new TupleLikePair(V(1), V(2));
        Assert.Equal(["A", "B"], ParameterTree<double>.Flatten(pair).Select(l => l.Name));
        var g = Autodiff.Grad((TupleLikePair p) => Sum(p.A * 2.0 + p.B * 5.0), pair);
        Assert.Equal((2.0, 5.0), (g.A.Data[0], g.B.Data[0]));
    }

    [Fact]
    public void A_tuple_of_seven_tensors_is_a_tree()
    {
        var seven = (V(1), V(2), V(3), V(4), V(5), V(6), V(7));
        var leaves = ParameterTree<double>.Flatten(seven);
        Assert.Equal(["Item1", "Item2", "Item3", "Item4", "Item5", "Item6", "Item7"], leaves.Select(l => l.Name));
        var mapped = ParameterTree<double>.Map(seven, t => t * 2.0);
        Assert.Equal(14.0, mapped.Item7.Data[0]);
        Assert.Equal(2.0, mapped.Item1.Data[0]);
    }

    [Fact]
    public void An_immutable_class_is_rebuilt_through_its_fullest_constructor_matching_names_in_any_case()
    {
        var layer = new TwoConstructorLayer(V(3), V(4));
        Assert.Equal(["W", "B"], ParameterTree<double>.Flatten(layer).Select(l => l.Name));
        var g = Autodiff.Grad((TwoConstructorLayer p) => Sum(p.W * p.W + p.B), layer);
        Assert.Equal(6.0, g.W.Data[0]);
        Assert.Equal(1.0, g.B.Data[0]);
    }

    [Fact]
    public void The_transforms_return_an_untracked_value_and_keep_their_options()
    {
        var options = new AutodiffOptions { DetectAnomaly = true };
        var transforms = Autodiff.With(options);
        Assert.Same(options, transforms.Options);
        var (value, grad) = transforms.ValueAndGrad((Tensor<double> w) => Sum(w * w), Tensor.FromArray([1.0, 2.0]));
        Assert.False(value.IsTracked);
        Assert.Equal(5.0, value.Data[0]);
        Assert.Equal([2.0, 4.0], grad.ToArray());
        var (v2, g2, aux) = Autodiff.ValueAndGradWithAux((Tensor<double> w) => (Sum(w), "aux"))(Tensor.FromArray([1.0, 2.0]));
        Assert.False(v2.IsTracked);
        Assert.Equal(3.0, v2.Data[0]);
        Assert.Equal([1.0, 1.0], g2.ToArray());
        Assert.Equal("aux", aux);
        Assert.Equal([2.0, 4.0], Autodiff.Grad((Tensor<double> w) => Sum(w * w))(Tensor.FromArray([1.0, 2.0])).ToArray());
    }

    [Fact]
    public void A_masked_loss_over_a_vector_takes_a_scalar_mask_as_the_shape_without_its_last_axis()
    {
        var prediction = Tensor.FromArray([1.0, 2.0, 4.0]);
        var target = Tensor.FromArray([0.0, 0.0, 0.0]);
        Assert.Equal(7.0, MeanSquaredError(prediction, target, Tensor.Scalar(1.0)).Data[0]);     // (1 + 4 + 16) / 3
        Assert.Equal(7.0 / 3, MeanAbsoluteError(prediction, target, Tensor.Scalar(1.0)).Data[0], 1e-12);
        Assert.Equal(2.5, MeanSquaredError(prediction, target, Tensor.FromArray([1.0, 1.0, 0.0])).Data[0]);   // (1 + 4) / 2
    }
}
