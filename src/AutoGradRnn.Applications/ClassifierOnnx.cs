using System.Globalization;
using System.Text.Json;

namespace AutoGradRnn.Applications;

/// <summary>
/// A trained <see cref="Classifier"/> as one ONNX model: character ids and lengths in, logits and class probabilities out,
/// computing what <see cref="Classifier.Logits(IReadOnlyList{string})"/> and <see cref="Classifier.Probabilities"/> compute.
/// </summary>
/// <remarks>
/// Inputs: <c>ids</c> int64 <c>[batch, time]</c>, the texts' character ids in the vocabulary (metadata <c>vocabulary</c>: a
/// JSON array of the characters in id order; characters it lacks are dropped, as <see cref="CharVocabulary.EncodeKnown(string)"/>
/// drops them), padded with any valid id; <c>sequence_lens</c> int32 <c>[batch]</c>, each text's length in ids (0 … time).
/// The recurrent ops stop at each length (the state after the last real character, like our mask); a length of 0 keeps the
/// zero state, as our masked unroll does. Outputs: <c>logits</c> float <c>[batch, classes]</c>, <c>probabilities</c>
/// (their softmax along the classes; metadata <c>labels</c>: a JSON array of the class names, in the columns' order).
/// </remarks>
public static class ClassifierOnnx
{
    /// <summary>
    /// Throws the <see cref="OnnxExportException"/> that <see cref="Export"/> would throw for the model a run with
    /// <paramref name="options"/> trains (--zoneout above 0, a cell without an ONNX operator), so a run asked to export can
    /// refuse before training rather than after.
    /// </summary>
    public static void Check(ClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        FinalStateNetwork.CheckExportable("classify", options.Cell, options.Regularisation);
    }

    /// <summary>
    /// The ONNX model (opset 17) of <paramref name="classifier"/>. Throws <see cref="OnnxExportException"/> naming the setting
    /// ONNX cannot compute: zoneout (its evaluation blends states), or a cell without an ONNX recurrent op (coupled).
    /// </summary>
    public static byte[] Export(Classifier classifier)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var g = new OnnxGraph("classifier");
        var ids = g.Input("ids", OnnxType.Int64, "batch", "time");
        var lengths = g.Input("sequence_lens", OnnxType.Int32, "batch");
        var embedded = g.Named("embedded", "Gather", [g.Constant("embedding", classifier.Embedding.Table), ids], OnnxAttribute.Int("axis", 0));
        var timeMajor = g.Named("embedded_time_major", "Transpose", [embedded], OnnxAttribute.Ints("perm", 1, 0, 2));
        // An empty text (every character unknown) keeps the zero state, in ONNX Runtime as in our masked unroll.
        var h = classifier.Network.AddFinal(g, timeMajor, lengths);
        var logits = OnnxRecurrent.AddLinear(g, classifier.Network.Head, h);
        g.Output("logits", logits, OnnxType.Float, "batch", classifier.Labels.Count);
        g.Output("probabilities", g.Op("Softmax", [logits], OnnxAttribute.Int("axis", -1)), OnnxType.Float, "batch", classifier.Labels.Count);
        return OnnxModel.Write(g, new Dictionary<string, string>
        {
            ["model"] = "classifier",
            ["cell"] = CellKinds.Name(classifier.Cell),
            ["layers"] = classifier.Network.Layers.ToString(CultureInfo.InvariantCulture),
            ["labels"] = JsonSerializer.Serialize(classifier.Labels),
            ["vocabulary"] = JsonSerializer.Serialize(classifier.Vocabulary.Symbols.Select(r => r.ToString())),
            ["inputs"] = "ids [batch, time] int64: character ids in the vocabulary (unknown characters dropped), padded with any valid id; sequence_lens [batch] int32: ids per text",
            ["outputs"] = "logits [batch, classes]; probabilities [batch, classes] (softmax of logits); columns in the order of labels",
        });
    }
}
