namespace AutoGradRnn;

/// <summary>
/// How a run survives interruption: where the trainer saves its whole state (a resume file), how often, what stops it,
/// and whether it continues from that file. A run resumed from the file ends bit-identical to one never interrupted.
/// The defaults do nothing: no file, no snapshots, never cancelled.
/// </summary>
public sealed record TrainingControl
{
    /// <summary>The resume file (safetensors, written atomically); "" for none (then cancelling stops without saving).</summary>
    public string ResumeFile { get; init; } = "";

    /// <summary>Save the resume file after every this many optimizer steps (0: only when cancelled).</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>Checked before every step: once cancelled, the trainer saves the resume file and throws <see cref="TrainingInterruptedException"/>.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Continue from <see cref="ResumeFile"/> instead of starting afresh; it must exist and record the same run (<see cref="Identity"/>).</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// What makes the run: option names and values (and a hash of the data) saved in the resume file. Resuming compares
    /// them in order and refuses the first that differs with a <see cref="CheckpointException"/> naming it. The
    /// applications fill this in themselves.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Identity { get; init; } = [];

    /// <summary>Extra metadata saved with every snapshot (long-memory's finished configurations); not compared.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> Extra { get; init; } = [];

    internal bool Saves => ResumeFile.Length > 0;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ResumeFile);
        ArgumentNullException.ThrowIfNull(Identity);
        if (CheckpointEvery < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), $"trainer: checkpoint every {CheckpointEvery} steps must be ≥ 0");
        if (Resume && !Saves) throw new ArgumentException("trainer: Resume needs a ResumeFile", nameof(Resume));
    }
}
