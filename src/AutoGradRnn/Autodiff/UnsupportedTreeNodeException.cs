namespace AutoGradRnn;

/// <summary>
/// Thrown when a parameter tree holds tensors in a form the tree walker does not traverse (a dictionary, a set, a lazy
/// sequence, a mutable class, a record's public field, …). Carrying such a node along unchanged would leave its tensors
/// without gradients, updates or checkpoint entries, so <see cref="ParameterTree{T}"/> refuses it. The message names the
/// path (e.g. <c>Layers[1].Weights</c>), the type and what to use instead.
/// </summary>
public sealed class UnsupportedTreeNodeException : ArgumentException
{
    /// <summary>Creates the exception for the node at <paramref name="path"/> of type <paramref name="nodeType"/>.</summary>
    /// <param name="path">The node's path in the tree ("" for the root).</param>
    /// <param name="nodeType">The type that is not supported.</param>
    /// <param name="what">What the node is, e.g. "a dictionary".</param>
    /// <param name="instead">What to use instead.</param>
    public UnsupportedTreeNodeException(string path, Type nodeType, string what, string instead)
        : base($"parameter tree: {((path ?? throw new ArgumentNullException(nameof(path))).Length == 0 ? "the root" : path)} is {what} ({TypeNames.Of(nodeType ?? throw new ArgumentNullException(nameof(nodeType)))}), which parameter trees do not traverse, " +
               $"so its tensors would get no gradient, update or checkpoint entry; {instead}")
    {
        Path = path;
        NodeType = nodeType;
    }

    /// <summary>The path of the node in the tree ("" for the root).</summary>
    public string Path { get; }

    /// <summary>The type that is not supported.</summary>
    public Type NodeType { get; }
}
