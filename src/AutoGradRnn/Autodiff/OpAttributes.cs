namespace AutoGradRnn;

/// <summary>
/// What an op records beside its inputs so that its forward function can be read back from the tape (by
/// <see cref="OnnxTrace{T}"/>): the scalar of <c>add_scalar</c>, the axis of <c>concat</c>, the range of <c>slice</c>, a
/// dropout or softmax mask... A struct of plain fields, so recording one costs no allocation; <see cref="Data"/> holds the
/// rare object-valued attribute (a mask tensor, gather indices). Ops that need nothing record <c>default</c>.
/// </summary>
internal readonly record struct OpAttributes(int Axis, int Axis1, int Start, int Length, double Scalar, object? Data)
{
    /// <summary>A scalar operand (add_scalar, rsub_scalar, mul_scalar) or a constant (layer_norm's ε).</summary>
    public static OpAttributes OfScalar(double scalar) => new(0, 0, 0, 0, scalar, null);

    /// <summary>One axis (concat, sum_axis).</summary>
    public static OpAttributes OfAxis(int axis) => new(axis, 0, 0, 0, 0, null);

    /// <summary>Two axes (transpose swaps them); matmul records its transpose flags as 1/0 here.</summary>
    public static OpAttributes OfAxes(int axis0, int axis1) => new(axis0, axis1, 0, 0, 0, null);

    /// <summary>The range [start, start + length) of an axis (slice).</summary>
    public static OpAttributes OfRange(int axis, int start, int length) => new(axis, 0, start, length, 0, null);

    /// <summary>
    /// An object-valued attribute: a constant tensor (a dropout or softmax mask) or an index array. Gather records the
    /// caller's own index array (its backward keeps a copy), so a tracer can tell an input's symbols by reference.
    /// </summary>
    public static OpAttributes OfData(object data) => new(0, 0, 0, 0, 0, data);
}

/// <summary>One entry of a tape as recorded: the op, its input and output tensors (constants included) and its attributes.</summary>
internal sealed record RecordedOp<T>(string Op, Tensor<T>[] Inputs, Tensor<T>[] Outputs, OpAttributes Attributes)
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>;
