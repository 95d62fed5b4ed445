namespace AutoGradRnn.Tests;

public sealed record TreeNode(Tensor<double> W, Tensor<double>[] Layers, (Tensor<double> Gain, Tensor<double> Bias) Norm, List<Tensor<double>> Extra, string Label);

/// <summary>
/// Parameter trees' structure: leaf order and paths, identity rebuilds, and the errors of Map2, Unflatten and Convert
/// naming the leaf and the counts.
/// </summary>
public class ParameterTreeStructureTests
{
    private static Tensor<double> V(params double[] v) => Tensor.FromArray(v);

    private static TreeNode Sample() => new(V(1), [V(2, 3), V(4)], (V(5), V(6)), [V(7, 8, 9)], "sample");

    [Fact]
    public void Flatten_visits_leaves_depth_first_in_declaration_order_with_their_paths()
    {
        var leaves = ParameterTree<double>.Flatten(Sample());
        Assert.Equal(["W", "Layers[0]", "Layers[1]", "Norm.Item1", "Norm.Item2", "Extra[0]"], leaves.Select(l => l.Name));
        Assert.Equal([1.0, 2, 3, 4, 5, 6, 7, 8, 9], leaves.SelectMany(l => l.Value.ToArray()));
        var tree = Sample();
        var named = ParameterTree<double>.Flatten(tree);
        var plain = ParameterTree<double>.Leaves(tree);
        Assert.Equal(named.Count, plain.Count);
        for (int i = 0; i < plain.Count; i++) Assert.Same(named[i].Value, plain[i]);
        Assert.Equal(["[0]", "[1]"], ParameterTree<double>.Flatten(new[] { V(1), V(2) }).Select(l => l.Name));
        Assert.Equal([""], ParameterTree<double>.Flatten(V(1)).Select(l => l.Name));
        Assert.Equal(["[1][0]"], ParameterTree<double>.Flatten(new Tensor<double>[][] { [], [V(1)] }).Select(l => l.Name));
    }

    [Fact]
    public void Map_keeps_the_structure_and_the_untouched_values_and_an_identity_map_returns_the_same_tree()
    {
        var tree = Sample();
        Assert.Same(tree, ParameterTree<double>.Map(tree, t => t));
        var doubled = ParameterTree<double>.Map(tree, t => t * 2.0);
        Assert.NotSame(tree, doubled);
        Assert.Equal("sample", doubled.Label);
        Assert.Equal([2.0, 4, 6, 8, 10, 12, 14, 16, 18], ParameterTree<double>.Leaves(doubled).SelectMany(l => l.ToArray()));
        Assert.Equal(2, doubled.Layers.Length);
        Assert.Equal([1.0], tree.W.ToArray());                // the original is unchanged
    }

    [Fact]
    public void A_null_child_is_carried_along()
    {
        var tree = new TreeNode(V(1), [V(2)], (V(3), V(4)), null!, "nulls");
        var mapped = ParameterTree<double>.Map(tree, t => t * 10.0);
        Assert.Null(mapped.Extra);
        Assert.Equal([10.0], mapped.W.ToArray());
    }

    [Fact]
    public void Map2_pairs_leaves_by_position_and_refuses_trees_that_differ()
    {
        var sum = ParameterTree<double>.Map2(new[] { V(1), V(2) }, new[] { V(10), V(20) }, (a, b) => a + b);
        Assert.Equal([11.0, 22.0], sum.SelectMany(t => t.ToArray()));

        var fewer = Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Map2(new[] { V(1), V(2) }, new[] { V(1) }, (a, _) => a));
        Assert.Contains("tree map: the trees differ: the second has no leaf for '[1]'", fewer.Message);

        var more = Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Map2(new[] { V(1) }, new[] { V(1), V(2), V(3) }, (a, _) => a));
        Assert.Contains("tree map: the trees differ: the second has 3 leaves, the first 1", more.Message);

        var shape = Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Map2(new[] { V(1, 2) }, new[] { V(1, 2, 3) }, (a, _) => a));
        Assert.Contains("tree map: [2] x [3]: leaf '[0]' meets '[0]'", shape.Message);

        var name = Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Map2<object>(new[] { V(1) }, (V(1), V(2)), (a, _) => a));
        Assert.Contains("leaf '[0]' meets 'Item1'", name.Message);
    }

    [Fact]
    public void Unflatten_refuses_too_few_too_many_or_misshapen_leaves()
    {
        var template = new[] { V(1), V(2, 3) };
        var ok = ParameterTree<double>.Unflatten(template, [V(7), V(8, 9)]);
        Assert.Equal([7.0, 8, 9], ok.SelectMany(t => t.ToArray()));

        var few = Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Unflatten(template, [V(7)]));
        Assert.Contains("unflatten: 1 leaves given, but the tree needs more (no leaf for '[1]')", few.Message);

        var many = Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Unflatten(template, [V(7), V(8, 9), V(0)]));
        Assert.Contains("unflatten: 3 leaves given, the tree has 2", many.Message);

        var misshapen = Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Unflatten(template, [V(7), V(8)]));
        Assert.Contains("unflatten: [1] x [2]: leaf '[1]' has the wrong shape", misshapen.Message);
    }

    [Fact]
    public void Convert_changes_the_element_type_and_refuses_trees_that_differ_from_the_template()
    {
        var floats = new[] { Tensor.FromArray([1.5f, -2f]), Tensor.FromArray([3f]) };
        var template = new[] { Tensor.Zeros<double>(2), Tensor.Zeros<double>(1) };
        var doubles = ParameterTree.Convert<float, double, Tensor<double>[]>(floats, template);
        Assert.Equal([1.5, -2.0, 3.0], doubles.SelectMany(t => t.ToArray()));

        var count = Assert.Throws<ShapeMismatchException>(() => ParameterTree.Convert<float, double, Tensor<double>[]>(floats, [Tensor.Zeros<double>(2)]));
        Assert.Contains("tree convert: the tree has 2 Single leaves, the template 1 Double leaves", count.Message);

        var shape = Assert.Throws<ShapeMismatchException>(() =>
            ParameterTree.Convert<float, double, Tensor<double>[]>(floats, [Tensor.Zeros<double>(2), Tensor.Zeros<double>(4)]));
        Assert.Contains("tree convert: [1] x [4]: leaf '[1]' meets the template's '[1]'", shape.Message);

        var name = Assert.Throws<ShapeMismatchException>(() =>
            ParameterTree.Convert<float, double, (Tensor<double>, Tensor<double>)>(floats, (Tensor.Zeros<double>(2), Tensor.Zeros<double>(1))));
        Assert.Contains("leaf '[0]' meets the template's 'Item1'", name.Message);
    }

    [Fact]
    public void Type_names_read_as_csharp_writes_them()
    {
        Assert.Equal("int", TypeNames.Of(typeof(int)));
        Assert.Equal("decimal", TypeNames.Of(typeof(decimal)));
        Assert.Equal("Shape", TypeNames.Of(typeof(Shape)));
        Assert.Equal("double[]", TypeNames.Of(typeof(double[])));
        Assert.Equal("Tensor<float>[,]", TypeNames.Of(typeof(Tensor<float>[,])));
        Assert.Equal("int[,,]", TypeNames.Of(typeof(int[,,])));
        Assert.Equal("Dictionary<string, List<Tensor<double>>>", TypeNames.Of(typeof(Dictionary<string, List<Tensor<double>>>)));
        // A nested type of a generic type is generic without a backtick in its own name.
        Assert.Equal("Enumerator<long>", TypeNames.Of(typeof(List<long>.Enumerator)));
    }

    [Fact]
    public void The_unsupported_node_message_calls_an_empty_path_the_root()
    {
        var root = new UnsupportedTreeNodeException("", typeof(Dictionary<string, int>), "a dictionary", "use a record");
        Assert.StartsWith("parameter tree: the root is a dictionary (Dictionary<string, int>), which parameter trees do not traverse", root.Message);
        Assert.EndsWith("update or checkpoint entry; use a record", root.Message);
        var inner = new UnsupportedTreeNodeException("Layers[1]", typeof(int), "a set", "x");
        Assert.StartsWith("parameter tree: Layers[1] is a set (int)", inner.Message);
        Assert.Equal("Layers[1]", inner.Path);
        Assert.Equal(typeof(int), inner.NodeType);
    }
}
