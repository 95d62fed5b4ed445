namespace AutoGradRnn;

/// <summary>
/// Thrown when a <see cref="TrainingControl.Cancellation"/> stops a run at a step boundary, after the trainer saved its
/// state to <see cref="ResumeFile"/> (when it has one): continue with <see cref="TrainingControl.Resume"/>.
/// </summary>
public sealed class TrainingInterruptedException : OperationCanceledException
{
    internal TrainingInterruptedException(long step, long totalSteps, string resumeFile)
        : base($"interrupted at step {step} of {totalSteps}{(resumeFile.Length > 0 ? $"; saved {resumeFile}" : "; nothing saved (no resume file)")}")
    { Step = step; TotalSteps = totalSteps; ResumeFile = resumeFile; }

    /// <summary>Steps completed (and saved) before the interruption.</summary>
    public long Step { get; }
    /// <summary>Steps the run would have taken.</summary>
    public long TotalSteps { get; }
    /// <summary>The resume file written ("" when the run had none).</summary>
    public string ResumeFile { get; }
}
