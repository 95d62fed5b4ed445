namespace AutoGradRnn;

/// <summary>A note on a <see cref="Tape{T}"/> (see <see cref="Tape{T}.Annotations"/>).</summary>
/// <param name="Node">The id of the first node the note applies to: the tape's count when it was written.</param>
/// <param name="Text">The note, e.g. <c>Lstm: per-step (the mask is tracked on a tape; Detach() it to run fused)</c>.</param>
public sealed record TapeAnnotation(int Node, string Text)
{
    /// <inheritdoc/>
    public override string ToString() => $"@{Node}: {Text}";
}
