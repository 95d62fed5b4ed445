namespace AutoGradRnn.Tests.Onnx;

/// <summary>The protobuf writer and graph builder, checked by ONNX Runtime loading and running what they write.</summary>
public class OnnxWriterTests
{
    [Fact]
    public void A_graph_with_symbolic_dims_initializers_and_attributes_runs_in_onnx_runtime()
    {
        var g = new OnnxGraph("smoke");
        var x = g.Input("x", OnnxType.Float, "batch", 3);
        var w = g.Constant("w", Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2));
        var b = g.Constant("b", Tensor.FromArray(new float[] { 0.5f, -0.5f }, 2));
        var y = g.Op("Add", [g.Op("MatMul", [x, w]), b]);
        var t = g.Op("Transpose", [y], OnnxAttribute.Ints("perm", 1, 0));
        g.Output("y", t, OnnxType.Float, 2, "batch");
        var model = OnnxModel.Write(g, new Dictionary<string, string> { ["note"] = "é" });
        var outputs = OrtRunner.Run(model, OrtRunner.Feed.Of("x", Tensor.FromArray(new float[] { 1, 0, -1, 2, 2, 2 }, 2, 3)));
        var expected = Tensor.FromArray(new float[] { 1 - 5 + 0.5f, 2 * 1 + 2 * 3 + 2 * 5 + 0.5f, 2 - 6 - 0.5f, 2 * 2 + 2 * 4 + 2 * 6 - 0.5f }, 2, 2);
        Assert.Equal(expected.AsSpan().ToArray(), outputs["y"].AsSpan().ToArray());
    }
}
