using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AutoGradRnn.Tests.Onnx;

/// <summary>Runs an exported model in ONNX Runtime (CPU): loading it is ORT's own check of the file.</summary>
internal static class OrtRunner
{
    /// <summary>A named graph input: float data or int32 data with its shape.</summary>
    public sealed record Feed(string Name, float[]? Floats, int[]? Ints, long[]? Int64s, int[] Shape)
    {
        public static Feed Of(string name, Tensor<float> value) => new(name, value.AsSpan().ToArray(), null, null, [.. value.Shape]);
        public static Feed Of(string name, Tensor<double> value) =>
            new(name, [.. value.AsSpan().ToArray().Select(v => (float)v)], null, null, [.. value.Shape]);
        public static Feed Int32(string name, int[] values, params int[] shape) => new(name, null, values, null, shape);
        public static Feed Int64(string name, long[] values, params int[] shape) => new(name, null, null, values, shape);
    }

    /// <summary>Every output of the model, by name, as float tensors.</summary>
    public static IReadOnlyDictionary<string, Tensor<float>> Run(byte[] model, params Feed[] feeds)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(model, options);
        var inputs = feeds.Select(f => f.Floats is { } fl ? NamedOnnxValue.CreateFromTensor(f.Name, new DenseTensor<float>(fl, f.Shape))
            : f.Ints is { } it ? NamedOnnxValue.CreateFromTensor(f.Name, new DenseTensor<int>(it, f.Shape))
            : NamedOnnxValue.CreateFromTensor(f.Name, new DenseTensor<long>(f.Int64s!, f.Shape))).ToList();
        using var results = session.Run(inputs);
        return results.ToDictionary(r => r.Name, r =>
        {
            var t = r.AsTensor<float>();
            return Tensor.FromArray(t.ToArray(), new Shape([.. t.Dimensions.ToArray()]));
        });
    }
}
