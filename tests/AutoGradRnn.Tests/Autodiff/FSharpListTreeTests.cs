using Microsoft.FSharp.Collections;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

public sealed record FSharpListNet(FSharpList<Tensor<double>> Layers);

/// <summary>
/// An F# list is a parameter-tree container like an array (F# code holds layers in one): its items are walked in order and
/// it is rebuilt as an F# list. Checked here from C# so the C# mutation runs reach the walker's F# list plan too.
/// </summary>
public class FSharpListTreeTests
{
    [Fact]
    public void An_FSharp_list_is_walked_in_order_and_rebuilt_as_an_FSharp_list()
    {
        var net = new FSharpListNet(ListModule.OfSeq(new[] { Tensor.FromArray([1.0]), Tensor.FromArray([2.0, 3.0]), Tensor.FromArray([4.0]) }));
        Assert.Equal(["Layers[0]", "Layers[1]", "Layers[2]"], ParameterTree<double>.Flatten(net).Select(n => n.Name));
        // ∂/∂layer_i of Σ_i (i + 1)·Σ layer_i: the gradient list keeps the order and the lengths.
        var g = Autodiff.Grad((FSharpListNet n) => Sum(n.Layers[0]) + Sum(n.Layers[1]) * 2.0 + Sum(n.Layers[2]) * 3.0)(net);
        Assert.IsType<FSharpList<Tensor<double>>>(g.Layers, exactMatch: false);
        Assert.Equal([[1.0], [2.0, 2.0], [3.0]], g.Layers.Select(t => t.ToArray()));
        var empty = ParameterTree<double>.Map(new FSharpListNet(FSharpList<Tensor<double>>.Empty), t => t);
        Assert.True(empty.Layers.IsEmpty);
    }
}
