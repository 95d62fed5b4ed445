using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// The ONNX form of every primitive op the tape records, one small rule per op name (tinygrad's table of rules, read the
/// other way: from our op to ONNX's). A rule gets the trace, the recorded op (its attributes and tensors) and the ONNX
/// names of its inputs, and returns the names of its outputs. Ops missing here (custom ops, fused kernels, losses) are not
/// exportable by tracing.
/// </summary>
internal static class OnnxOpTable<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public delegate string[] Rule(OnnxTrace<T> trace, RecordedOp<T> op, string[] inputs);

    private static Rule Unary(string onnxOp) => (t, _, x) => [t.Op(onnxOp, [x[0]])];

    private static Rule Binary(string onnxOp) => (t, _, x) => [t.Op(onnxOp, [x[0], x[1]])];

    public static readonly IReadOnlyDictionary<string, Rule> Rules = new Dictionary<string, Rule>
    {
        ["add"] = Binary("Add"),
        ["subtract"] = Binary("Sub"),
        ["multiply"] = Binary("Mul"),
        ["divide"] = Binary("Div"),
        ["negate"] = Unary("Neg"),
        ["sigmoid"] = Unary("Sigmoid"),
        ["tanh"] = Unary("Tanh"),
        ["exp"] = Unary("Exp"),
        ["log"] = Unary("Log"),
        ["relu"] = Unary("Relu"),
        ["sqrt"] = Unary("Sqrt"),
        ["abs"] = Unary("Abs"),
        ["square"] = (t, _, x) => [t.Op("Mul", [x[0], x[0]])],
        // x + s, s − x, s·x: the scalar is the op's attribute.
        ["add_scalar"] = (t, op, x) => [t.Op("Add", [x[0], t.Scalar(op.Attributes.Scalar)])],
        ["rsub_scalar"] = (t, op, x) => [t.Op("Sub", [t.Scalar(op.Attributes.Scalar), x[0]])],
        ["mul_scalar"] = (t, op, x) => [t.Op("Mul", [x[0], t.Scalar(op.Attributes.Scalar)])],
        // op(A)·op(B), the transpose flags recorded as 1/0; A of rank > 2 (never transposed) broadcasts over its leading axes.
        ["matmul"] = (t, op, x) =>
        {
            string a = op.Attributes.Axis == 1 ? t.Op("Transpose", [x[0]], OnnxAttribute.Ints("perm", 1, 0)) : x[0];
            string b = op.Attributes.Axis1 == 1 ? t.Op("Transpose", [x[1]], OnnxAttribute.Ints("perm", 1, 0)) : x[1];
            return [t.Op("MatMul", [a, b])];
        },
        // The target shape is the recorded output's.
        ["reshape"] = (t, op, x) => [t.Op("Reshape", [x[0], t.Int64s("shape", [.. op.Outputs[0].Shape.Select(d => (long)d)])])],
        ["transpose"] = (t, op, x) =>
        {
            var perm = Enumerable.Range(0, op.Inputs[0].Rank).Select(i => (long)i).ToArray();
            (perm[op.Attributes.Axis], perm[op.Attributes.Axis1]) = (perm[op.Attributes.Axis1], perm[op.Attributes.Axis]);
            return [t.Op("Transpose", [x[0]], OnnxAttribute.Ints("perm", perm))];
        },
        ["concat"] = (t, op, x) => [t.Op("Concat", x, OnnxAttribute.Int("axis", op.Attributes.Axis))],
        ["slice"] = (t, op, x) =>
        {
            var a = op.Attributes;
            return [t.Op("Slice", [x[0], t.Int64s("starts", a.Start), t.Int64s("ends", a.Start + a.Length), t.Int64s("axes", a.Axis)])];
        },
        // Σ over one axis, kept when the recorded output kept it.
        ["sum_axis"] = (t, op, x) => [t.Op("ReduceSum", [x[0], t.Int64s("axes", op.Attributes.Axis)],
            OnnxAttribute.Int("keepdims", op.Outputs[0].Rank == op.Inputs[0].Rank ? 1 : 0))],
        ["sum"] = (t, op, x) => [Reshaped(t, op, t.Op("ReduceSum", [x[0]], OnnxAttribute.Int("keepdims", 0)))],
        ["mean"] = (t, op, x) => [Reshaped(t, op, t.Op("ReduceMean", [x[0]], OnnxAttribute.Int("keepdims", 0)))],
        // Our softmaxes are over the last axis (another axis is recorded as transposes around it).
        ["softmax"] = (t, _, x) => [t.Op("Softmax", [x[0]], OnnxAttribute.Int("axis", -1))],
        ["log_softmax"] = (t, _, x) => [t.Op("LogSoftmax", [x[0]], OnnxAttribute.Int("axis", -1))],
        // Masked entries become −∞ before the softmax: e^(−∞ − max) = 0 exactly, and the max is over the unmasked entries, as ours.
        ["masked_softmax"] = (t, op, x) =>
        {
            var mask = (Tensor<T>)op.Attributes.Data!;
            var real = t.Op("Equal", [t.ValueOf(mask), t.Scalar(1)]);
            var scores = t.Op("Where", [real, x[0], t.Scalar(double.NegativeInfinity)]);
            return [t.Op("Softmax", [scores], OnnxAttribute.Int("axis", -1))];
        },
        // γ ⊙ (x − μ)/√(σ² + ε) + β over the last axis, with the biased variance and ε inside the root, as ONNX's LayerNormalization.
        ["layer_norm"] = (t, op, x) => [t.Op("LayerNormalization", [x[0], x[1], x[2]],
            OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", (float)op.Attributes.Scalar))],
        // x ⊙ m with the recorded mask (a constant).
        ["dropout"] = (t, op, x) => [t.Op("Mul", [x[0], t.ValueOf((Tensor<T>)op.Attributes.Data!)])],
        // Rows of the table; the indices are the recorded ones unless the trace reads them from an input.
        ["gather"] = (t, op, x) =>
        {
            var indices = (int[])op.Attributes.Data!;
            var name = t.GatherIndices?.Invoke(op, indices) ?? t.Int64s("indices", [.. indices.Select(i => (long)i)]);
            return [t.Op("Gather", [x[0], name], OnnxAttribute.Int("axis", 0))];
        },
    };

    private static string Reshaped(OnnxTrace<T> t, RecordedOp<T> op, string value) =>
        t.Op("Reshape", [value, t.Int64s("shape", [.. op.Outputs[0].Shape.Select(d => (long)d)])]);
}
