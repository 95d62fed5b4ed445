namespace AutoGradRnn;

/// <summary>One tensor as a safetensors header describes it: name, dtype and shape, without its values.</summary>
public sealed record TensorInfo(string Name, string DType, IReadOnlyList<int> Shape)
{
    /// <summary>Number of elements, the product of the shape.</summary>
    public long Count => Shape.Aggregate(1L, (n, d) => n * d);
}

/// <summary>
/// What a safetensors file holds, read from its header alone (validated in full, no tensor data read): the tensors in
/// file order and the metadata. Loaders that size a model from metadata compare it with these shapes before
/// allocating anything.
/// </summary>
public sealed record SafeTensorsHeader(IReadOnlyList<TensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The tensor named <paramref name="name"/>, or none.</summary>
    public TensorInfo? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Tensors.FirstOrDefault(t => t.Name == name);
    }
}
