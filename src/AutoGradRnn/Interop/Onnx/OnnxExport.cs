using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Writes trained networks as ONNX models, for ONNX Runtime (and ML.NET on top of it) to run with no reference to this
/// library. The cells ONNX has operators for map onto them exactly: <see cref="Rnn{T}"/> → <c>RNN</c> (tanh),
/// <see cref="Gru{T}"/> → <c>GRU</c> with <c>linear_before_reset = 0</c>, <see cref="GruResetAfter{T}"/> → <c>GRU</c> with
/// <c>linear_before_reset = 1</c>, <see cref="Lstm{T}"/> and <see cref="PeepholeLstm{T}"/> with diagonal peepholes →
/// <c>LSTM</c> (gate order i, o, f, c; peepholes through <c>P</c>). Weights are written as float32 (opset 17).
/// </summary>
public static class OnnxExport
{
    /// <summary>
    /// The ONNX model of <paramref name="network"/>: every layer and direction, then its head if it has one. The graph's
    /// inputs are <c>input</c> (float <c>[batch, time, D]</c>, batch and time free), then with
    /// <see cref="OnnxExportOptions.SequenceLengths"/> <c>sequence_lens</c> (int32 <c>[batch]</c>), and with
    /// <see cref="OnnxExportOptions.InitialState"/> <c>h0</c> (and <c>c0</c> for LSTMs, <c>[layers·directions, batch, H]</c>).
    /// Its outputs are <c>output</c> (<c>[batch, time, OutputSize]</c>: what <see cref="RecurrentLayers{TState, T}.Apply(Tensor{T})"/>
    /// returns), <c>hn</c> (and <c>cn</c>), the final states in the order of <see cref="RecurrentLayersResult{TState, T}.Final"/>.
    /// </summary>
    /// <exception cref="OnnxExportException">A cell ONNX has no operator for (named with its layer), or layers of different hidden sizes.</exception>
    public static byte[] Network<TState, T>(RecurrentLayers<TState, T> network, OnnxExportOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new OnnxExportOptions();
        _ = RecurrentLayers<TState, T>.Of(network.Forward, network.Backward, network.Head);   // the same checks as an unroll, naming the layer
        var g = new OnnxGraph("recurrent_layers");
        var input = g.Input("input", OnnxType.Float, "batch", "time", network.InputSize);
        int states = network.NumLayers * network.Directions, hidden = network.Forward[0].OutputSize;
        bool hasCell = OnnxNativeCell.Of(network.Forward[0], "layer 0 forward").HasCellState;
        var lens = options.SequenceLengths ? g.Input("sequence_lens", OnnxType.Int32, "batch") : null;
        var h0 = options.InitialState ? g.Input("h0", OnnxType.Float, states, "batch", hidden) : null;
        var c0 = options.InitialState && hasCell ? g.Input("c0", OnnxType.Float, states, "batch", hidden) : null;
        var timeMajor = g.Op("Transpose", [input], OnnxAttribute.Ints("perm", 1, 0, 2));
        var layers = OnnxRecurrent.AddLayers(g, network, timeMajor, lens, h0, c0);
        var output = g.Op("Transpose", [layers.Outputs], OnnxAttribute.Ints("perm", 1, 0, 2));
        if (network.Head is { } head) output = OnnxRecurrent.AddLinear(g, head, output);
        g.Output("output", output, OnnxType.Float, "batch", "time", network.OutputSize);
        g.Output("hn", layers.FinalH, OnnxType.Float, states, "batch", hidden);
        if (layers.FinalC is { } cn) g.Output("cn", cn, OnnxType.Float, states, "batch", hidden);
        return OnnxModel.Write(g, options.Metadata);
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically: the file holds the old content or all of the new.</summary>
    public static void Save(byte[] model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, s => s.Write(model));
    }
}
