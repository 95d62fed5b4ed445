namespace AutoGradRnn;

/// <summary>How the applications use a <see cref="TrainingControl"/>: stamp it with the run's identity, and remove its file once the run's outputs exist.</summary>
internal static class Resumable
{
    /// <summary>The caller's control (or none) with the application's identity in front of any the caller gave.</summary>
    public static TrainingControl For(TrainingControl? control, string application, object options, params (string Name, string Value)[] data)
    {
        control ??= new TrainingControl();
        control.Validate();
        // Hashing the data costs a pass over it: only for runs that save or resume.
        return control.Saves ? control with { Identity = [.. RunIdentity.Of(application, options, data), .. control.Identity] } : control;
    }

    /// <summary>The run is complete and its results are out: its resume file has nothing left to offer.</summary>
    public static void Finish(TrainingControl control)
    {
        // A run shorter than one snapshot interval never wrote the file, and may never have made its folder.
        if (control.Saves && File.Exists(control.ResumeFile)) File.Delete(control.ResumeFile);
    }
}
