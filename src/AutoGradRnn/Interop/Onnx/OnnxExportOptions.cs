namespace AutoGradRnn;

/// <summary>
/// What an exported ONNX graph takes besides its <c>input</c>. Each option adds graph inputs; the outputs are always the
/// same. For <see cref="OnnxExport.Network{TState, T}"/> they are <c>output</c>, <c>hn</c> and, for LSTMs, <c>cn</c>, and the
/// inputs are as described on each option. <see cref="OnnxTracedExport"/> unrolls for a fixed batch and length and names
/// things by the state's own leaves: <see cref="SequenceLengths"/> adds a float <c>mask</c> <c>[batch, time]</c> (1 = real
/// step) instead, <see cref="InitialState"/> one <c>state.&lt;path&gt;</c> input per state leaf, and the outputs are
/// <c>output</c> and one <c>final.&lt;path&gt;</c> per leaf.
/// </summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Adds the input <c>sequence_lens</c> (int32 <c>[batch]</c>): sequence b is real for its first <c>sequence_lens[b]</c>
    /// steps and padding after them, as our masks from lengths (<see cref="Sequence.MaskFromLengths{T}"/>): a padded step
    /// outputs zeros and keeps the state, and a backward direction starts at each sequence's own last real step.
    /// </summary>
    public bool SequenceLengths { get; init; }

    /// <summary>
    /// Adds the inputs <c>h0</c> (and <c>c0</c> for LSTMs), <c>[layers·directions, batch, H]</c> in PyTorch's order (index
    /// <c>layer·directions + direction</c>), so a caller can carry the state from one call to the next. Without it every
    /// call starts from zeros.
    /// </summary>
    public bool InitialState { get; init; }

    /// <summary>String metadata written into the model (<c>metadata_props</c>), e.g. a vocabulary; none when null.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
