using System.Numerics;

namespace AutoGradRnn;

/// <summary>Operations on parameter trees that change their element type (see <see cref="ParameterTree{T}"/> for the rest).</summary>
public static class ParameterTree
{
    /// <summary>
    /// <paramref name="tree"/>'s leaves (element type <typeparamref name="TFrom"/>) converted to <typeparamref name="TTo"/>, in a
    /// tree of <paramref name="template"/>'s type, e.g. a float32 model as float64 for <see cref="GradCheck"/>, which works in
    /// float64. The template gives the target type (an F# record of <c>Tensor&lt;float32&gt;</c> has no float64 twin to derive);
    /// its leaf values are ignored, but its leaf paths and shapes must be <paramref name="tree"/>'s. float32 → float64 → float32
    /// gives back the same bits.
    /// </summary>
    /// <example><c>ParameterTree.Convert&lt;float, double, Lstm&lt;double&gt;&gt;(lstm32, Lstm&lt;double&gt;.Create(3, 8, seed: 0))</c></example>
    /// <exception cref="ShapeMismatchException">The trees' leaves differ in number, path or shape.</exception>
    public static TTreeTo Convert<TFrom, TTo, TTreeTo>(object tree, TTreeTo template)
        where TFrom : unmanaged, IFloatingPointIeee754<TFrom>
        where TTo : unmanaged, IFloatingPointIeee754<TTo>
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(template);
        var from = ParameterTree<TFrom>.Flatten(tree);
        var to = ParameterTree<TTo>.Flatten(template);
        if (from.Count != to.Count)
            throw new ShapeMismatchException("tree convert", $"the tree has {from.Count} {typeof(TFrom).Name} leaves, the template {to.Count} {typeof(TTo).Name} leaves");
        for (int i = 0; i < from.Count; i++)
            if (from[i].Name != to[i].Name || from[i].Value.Shape != to[i].Value.Shape)
                throw new ShapeMismatchException("tree convert", $"leaf '{from[i].Name}' meets the template's '{to[i].Name}'", from[i].Value.Shape, to[i].Value.Shape);
        return ParameterTree<TTo>.Unflatten(template, from.Select(n => Tensor.Convert<TFrom, TTo>(n.Value)).ToList());
    }
}
