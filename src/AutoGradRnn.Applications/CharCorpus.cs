namespace AutoGradRnn.Applications;

/// <summary>
/// A text made ready for a character model: the vocabulary of its training part and both parts as character ids.
/// The split counts characters (Unicode scalar values), and the parts are encoded straight from the text, never
/// copied as substrings, so the text itself can be dropped once this exists: 4 bytes a character remain.
/// </summary>
internal sealed record CharCorpus(CharVocabulary Vocabulary, int[] Train, int[] Validation, int DroppedValidation)
{
    /// <summary>The last <paramref name="validationFraction"/> of <paramref name="text"/>'s characters is validation.</summary>
    public static CharCorpus Split(string text, double validationFraction)
    {
        int characters = CharVocabulary.Count(text);
        int split = (int)(characters * (1 - validationFraction));
        int at = 0;   // the UTF-16 offset of character number split
        for (int k = 0; k < split; k++) at += char.IsHighSurrogate(text[at]) ? 2 : 1;   // Count has checked the pairs
        ReadOnlySpan<char> train = text.AsSpan(0, at), valid = text.AsSpan(at);
        var vocabulary = CharVocabulary.FromText(train);
        var validIds = vocabulary.EncodeKnown(valid);
        return new CharCorpus(vocabulary, vocabulary.Encode(train), validIds, characters - split - validIds.Length);
    }
}
