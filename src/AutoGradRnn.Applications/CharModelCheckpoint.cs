using System.Globalization;

namespace AutoGradRnn.Applications;

/// <summary>
/// The shape of a character model as its checkpoint's metadata claims it, checked against the tensors the file
/// actually holds before anything is allocated: a template model is built from these numbers, so a claim of
/// <c>hidden=40000</c> over tensors of 16 would otherwise allocate gigabytes before any comparison.
/// </summary>
internal sealed record CharModelCheckpoint(CellKind Cell, int Hidden, int Layers, CharVocabulary Vocabulary)
{
    /// <summary>The zoneout probability the model was trained with (its evaluation steps with the expectation); 0 when the metadata has none.</summary>
    public double Zoneout { get; init; }

    private const string HeadWeight = "Head.W";
    private const string LayerPrefix = "Rnn.Layers[";

    /// <summary>Reads and checks the metadata of <paramref name="path"/>; every problem is a <see cref="CheckpointException"/> naming the key and value.</summary>
    public static CharModelCheckpoint Read(string path)
    {
        var header = SafeTensors.ReadHeader(path);
        var meta = header.Metadata;
        string Need(string key) => meta.TryGetValue(key, out var value) ? value
            : throw new CheckpointException(path, $"not a character model checkpoint (no '{key}' in its metadata)");
        if (Need("model") is var model && model != "char-lm") throw new CheckpointException(path, $"holds a '{model}' model, not a character language model");

        CellKind cell;
        try { cell = CellKinds.Parse(Need("cell")); }
        catch (ArgumentException) { throw Bad(path, "cell", meta["cell"], "is not a cell kind (rnn, lstm, gru, peephole, coupled, gru-essay)"); }
        int hidden = PositiveInt(path, "hidden", Need("hidden")), layers = PositiveInt(path, "layers", Need("layers"));
        CharVocabulary vocabulary;
        try { vocabulary = new CharVocabulary(Need("vocabulary")); }
        catch (ArgumentException e) { throw Bad(path, "vocabulary", meta["vocabulary"], $"is not a vocabulary ({CliFree(e)})"); }

        // The head W [hidden, vocabulary] pins both sizes; the layer count is the number of Rnn.Layers[k] prefixes.
        var head = header.Find(HeadWeight) ?? throw new CheckpointException(path, "the character model needs this tensor but the file does not have it", HeadWeight);
        if (head.Shape.Count != 2 || head.Shape[0] != hidden || head.Shape[1] != vocabulary.Size)
            throw new CheckpointException(path,
                $"the metadata claims hidden={hidden} and a vocabulary of {vocabulary.Size} characters, which need shape [{hidden},{vocabulary.Size}], but the file's is [{string.Join(",", head.Shape)}]", HeadWeight);
        int fileLayers = header.Tensors.Where(t => t.Name.StartsWith(LayerPrefix, StringComparison.Ordinal))
            .Select(t => t.Name[LayerPrefix.Length..].Split(']')[0]).Distinct().Count();
        if (fileLayers != layers)
            throw new CheckpointException(path, $"the metadata claims layers={layers} but the file holds tensors of {fileLayers} layer{(fileLayers == 1 ? "" : "s")}");
        double zoneout = 0;
        if (meta.TryGetValue("zoneout", out var z) &&
            !(double.TryParse(z, NumberStyles.Float, CultureInfo.InvariantCulture, out zoneout) && zoneout >= 0 && zoneout < 1))
            throw Bad(path, "zoneout", z, "is not a probability in [0, 1)");
        return new CharModelCheckpoint(cell, hidden, layers, vocabulary) { Zoneout = zoneout };
    }

    private static int PositiveInt(string path, string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw Bad(path, key, value, "is not a positive integer");

    private static CheckpointException Bad(string path, string key, string value, string why) =>
        new(path, $"metadata '{key}' = '{Cut(value)}' {why}");

    /// <summary>At most 40 characters of a value, never cutting a surrogate pair in half.</summary>
    private static string Cut(string value)
    {
        if (value.Length <= 40) return value;
        int end = char.IsHighSurrogate(value[38]) ? 38 : 39;
        return value[..end] + "…";
    }

    /// <summary>The message without .NET's " (Parameter 'x')" suffix.</summary>
    private static string CliFree(ArgumentException e) => e.ParamName is { } p ? e.Message.Replace($" (Parameter '{p}')", "") : e.Message;
}
