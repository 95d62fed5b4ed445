using static AutoGradRnn.Ops;

namespace AutoGradRnn.Applications;

/// <summary>
/// A trained character-level classifier, as a <see cref="SequenceClassification"/> run kept it
/// (<see cref="ClassificationReport.Model"/>): <c>logits = head(h_L)</c>, h_L the cell's output after the text's last
/// character (embedded by <see cref="Vocabulary"/>; characters it lacks are dropped), over <see cref="Labels"/>.
/// </summary>
public sealed class Classifier
{
    internal Classifier(string[] labels, CharVocabulary vocabulary, CellKind cell, Embedding<float> embedding, FinalStateNetwork network)
    {
        (labelNames, Vocabulary, Cell, Embedding, Network) = (labels, vocabulary, cell, embedding, network);
    }

    private readonly string[] labelNames;
    internal Embedding<float> Embedding { get; }
    internal FinalStateNetwork Network { get; }

    /// <summary>The class names, in the order of the logits' columns.</summary>
    public IReadOnlyList<string> Labels => labelNames;
    /// <summary>The characters the model embeds; character id k is <c>Vocabulary.Symbol(k)</c>.</summary>
    public CharVocabulary Vocabulary { get; }
    /// <summary>The recurrent cell.</summary>
    public CellKind Cell { get; }

    /// <summary>The logits <c>[texts, labels]</c>, the texts as one batch padded to the longest and masked, as the run evaluates.</summary>
    public Tensor<float> Logits(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var encoded = texts.Select(t => Vocabulary.EncodeKnown(t ?? throw new ArgumentNullException(nameof(texts), "classifier: a text is null"))).ToArray();
        int length = Math.Max(1, encoded.Length == 0 ? 0 : encoded.Max(e => e.Length));
        var ids = new int[encoded.Length * length];
        for (int b = 0; b < encoded.Length; b++) encoded[b].CopyTo(ids, b * length);
        return Logits(ids, [.. encoded.Select(e => e.Length)], length);
    }

    /// <summary>The logits of character ids <c>[batch, length]</c> (row-major) whose first <paramref name="lengths"/> steps are real.</summary>
    internal Tensor<float> Logits(int[] ids, int[] lengths, int length)
    {
        var mask = Sequence.MaskFromLengths<float>(lengths, length);
        return Network.Apply(Embedding.Apply(ids, lengths.Length, length), mask);
    }

    /// <summary>The class probabilities <c>[texts, labels]</c>: the softmax of <see cref="Logits(IReadOnlyList{string})"/> along the labels.</summary>
    public Tensor<float> Probabilities(IReadOnlyList<string> texts) => Softmax(Logits(texts));

    /// <summary>The most probable label of each text.</summary>
    public IReadOnlyList<string> Predict(IReadOnlyList<string> texts) => [.. Metrics.ArgMax(Logits(texts)).Select(k => labelNames[k])];
}
