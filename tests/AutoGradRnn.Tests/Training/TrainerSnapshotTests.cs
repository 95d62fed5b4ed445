using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// A damaged or foreign resume file is refused with a <see cref="CheckpointException"/> that says what is wrong with it,
/// never a parse error or a silently wrong run; and what a snapshot holds (best parameters, carried state) is there
/// exactly when the run needs it. Each case edits one thing in a real resume file.
/// </summary>
public class TrainerSnapshotTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private sealed record Scalar(Tensor<double> W);

    private sealed record Step(int Index) : ITrainingBatch { public int Items => 1; }

    private static readonly Step[] Train = [new(0), new(1), new(2)];

    private static Tensor<double> Loss(Scalar p, Step b) => Square(p.W - (1.0 + b.Index)).Sum();

    private static TrainingResult<Scalar, double> Fit(TrainingControl control, IReadOnlyList<Step>? validation = null) =>
        Trainer<double>.Fit(new Scalar(Tensor.FromArray([0.0, 0.5])), new Adam<double>(0.1), Loss, Train, validation ?? [], new TrainerOptions { Epochs = 2, Shuffle = false }, null, control);

    /// <summary>A resume file saved after step 4 of 6 (epoch 1, position 1), with a best epoch.</summary>
    private TrainingControl Saved()
    {
        var control = new TrainingControl { ResumeFile = dir.File($"{Guid.NewGuid():N}.safetensors"), CheckpointEvery = 4 };
        Fit(control, [new Step(0)]);
        return control with { Resume = true };
    }

    private string Refused(Action<Dictionary<string, string>, List<NamedTensor<double>>> edit)
    {
        var control = Saved();
        SafeTensorsEdit.Apply(control.ResumeFile, edit);
        var e = Assert.Throws<CheckpointException>(() => Fit(control, [new Step(0)]));
        Assert.Equal(control.ResumeFile, e.FilePath);
        Assert.StartsWith($"checkpoint '{control.ResumeFile}'", e.Message);
        return e.Message;
    }

    [Fact]
    public void An_unedited_snapshot_resumes_to_the_uninterrupted_result()
    {
        var expected = Fit(new TrainingControl(), [new Step(0)]);
        var resumed = Fit(Saved(), [new Step(0)]);
        Assert.Equal(expected.StepLosses, resumed.StepLosses);
        Assert.Equal(expected.Parameters.W.ToArray(), resumed.Parameters.W.ToArray());
        Assert.Equal(expected.BestEpoch, resumed.BestEpoch);
    }

    [Fact]
    public void The_snapshot_holds_its_format_identity_state_and_best_parameters()
    {
        var control = Saved();
        var contents = SafeTensors.Load<double>(control.ResumeFile);
        var meta = contents.Metadata;
        Assert.Equal("autogradrnn-resume", meta["format"]);
        Assert.Equal("1", meta["resume.version"]);
        Assert.Equal("1", meta["resume.trainer"]);
        Assert.Equal("independent", meta["run.trainer.kind"]);
        Assert.Equal("Adam`1", meta["run.trainer.optimizer"]);
        Assert.Equal("3", meta["run.trainer.train_batches"]);
        Assert.Equal("1", meta["run.trainer.validation_batches"]);
        Assert.Equal("2", meta["run.trainer.Epochs"]);
        Assert.Equal("false", meta["run.trainer.Shuffle"]);
        Assert.Equal("4", meta["optimizer.step"]);
        Assert.Equal("1", meta["state.epoch"]);
        Assert.Equal("1", meta["state.position"]);
        Assert.Equal("4", meta["state.items"]);
        Assert.Equal("0", meta["state.best_epoch"]);
        Assert.Equal(4, meta["history.losses"].Split(',').Length);
        Assert.Equal(4, meta["history.norms"].Split(',').Length);
        Assert.Single(meta["history.epochs"].Split(';'));
        Assert.Equal(6, meta["state.epoch_rng"].Split(',').Length);
        var names = contents.Tensors.Select(t => t.Name).ToHashSet();
        Assert.Contains("params.W", names);
        Assert.Contains("best.W", names);
        Assert.Contains("optimizer.exp_avg.W", names);
        Assert.Contains("optimizer.exp_avg_sq.W", names);
    }

    [Fact]
    public void A_missing_file_is_named_with_how_to_start_instead()
    {
        var path = dir.File("none.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => Fit(new TrainingControl { ResumeFile = path, Resume = true }));
        Assert.Equal($"resume file '{path}' does not exist, so there is no run to continue; start without resuming", e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void A_file_of_another_kind_or_with_another_identity_is_refused_naming_the_difference()
    {
        Assert.EndsWith("not a resume file (its format is not autogradrnn-resume); was a model checkpoint given?", Refused((m, _) => m.Remove("format")));
        Assert.EndsWith("not a resume file (its format is not autogradrnn-resume); was a model checkpoint given?", Refused((m, _) => m["format"] = "autogradrnn"));
        Assert.EndsWith("it records trainer.Epochs = 3, but this run has trainer.Epochs = 2; resume with the same options and data, or start afresh",
            Refused((m, _) => m["run.trainer.Epochs"] = "3"));
        Assert.EndsWith("it records trainer.kind = (not recorded), but this run has trainer.kind = independent; resume with the same options and data, or start afresh",
            Refused((m, _) => m.Remove("run.trainer.kind")));
        Assert.EndsWith("it holds no trainer state", Refused((m, _) => m.Remove("resume.trainer")));
    }

    [Fact]
    public void Damaged_state_is_refused_naming_what_is_damaged()
    {
        Assert.EndsWith("the resume file lacks 'state.epoch' in its metadata", Refused((m, _) => m.Remove("state.epoch")));
        Assert.EndsWith("the resume file lacks 'history.norms' in its metadata", Refused((m, _) => m.Remove("history.norms")));
        Assert.Contains("the resume file's metadata is damaged (", Refused((m, _) => m["state.position"] = "one"));
        Assert.Contains("the resume file's metadata is damaged (", Refused((m, _) => m["state.items"] = "99999999999999999999999"));
        Assert.Contains("the resume file's metadata is damaged (", Refused((m, _) => m["history.epochs"] = "0:1.5"));
        Assert.EndsWith("the resume file's histories do not agree with each other", Refused((m, _) => m["history.norms"] = m["history.norms"][..m["history.norms"].LastIndexOf(',')]));
        Assert.EndsWith("the resume file's histories do not agree with each other", Refused((m, _) => m["state.epoch_rng"] = m["state.epoch_rng"][..m["state.epoch_rng"].LastIndexOf(',')]));
        Assert.EndsWith("the optimizer slots [exp_avg] differ from this optimizer's [exp_avg,exp_avg_sq]", Refused((m, _) => m["optimizer.slots"] = "exp_avg"));
    }

    [Fact]
    public void A_missing_or_misshapen_tensor_is_refused_naming_the_tensor()
    {
        Assert.EndsWith("tensor 'params.W': the run needs this tensor but the resume file does not have it", Refused((_, t) => t.RemoveAll(n => n.Name == "params.W")));
        Assert.EndsWith("tensor 'optimizer.exp_avg_sq.W': the run needs this tensor but the resume file does not have it", Refused((_, t) => t.RemoveAll(n => n.Name == "optimizer.exp_avg_sq.W")));
        Assert.EndsWith("tensor 'best.W': the run needs this tensor but the resume file does not have it", Refused((_, t) => t.RemoveAll(n => n.Name == "best.W")));
        Assert.EndsWith("tensor 'params.W': shape [3] does not match the run's [2]", Refused((_, t) =>
        {
            int i = t.FindIndex(n => n.Name == "params.W");
            t[i] = new NamedTensor<double>("params.W", Tensor.Zeros<double>(3));
        }));
    }

    private sealed record Carried(Tensor<double> W);

    [Fact]
    public void Carried_state_is_saved_whenever_a_batch_of_the_epoch_is_done_and_not_before_the_first()
    {
        (Tensor<double>, Tensor<double>) CarriedLoss(Carried p, Tensor<double> c, Step b) => (Square(p.W * c - 1.0).Sum(), c * 0.5 + 1.0);
        TrainingResult<Carried, double> Run(TrainingControl control) => Trainer<double>.FitCarried(new Carried(Tensor.FromArray([0.1])), new Sgd<double>(0.05),
            CarriedLoss, _ => Tensor.FromArray([1.0]), Train, [], new TrainerOptions { Epochs = 2 }, null, control);
        var expected = Run(new TrainingControl());

        var mid = new TrainingControl { ResumeFile = dir.File("mid.safetensors"), CheckpointEvery = 4 };   // after step 4: epoch 1, position 1
        Run(mid);
        var names = SafeTensors.Load<double>(mid.ResumeFile).Tensors.Select(t => t.Name).ToList();
        Assert.Contains("carry.", names.Select(n => n[..Math.Min(6, n.Length)]));
        Assert.DoesNotContain(names, n => n.StartsWith("best.", StringComparison.Ordinal));   // no validation, no best epoch
        Assert.Equal(expected.StepLosses, Run(mid with { Resume = true }).StepLosses);

        // A snapshot taken when the epoch's last batch is done still carries the state (validation comes after it).
        var end = new TrainingControl { ResumeFile = dir.File("end.safetensors"), CheckpointEvery = 3 };
        Run(end);
        var atEnd = SafeTensors.Load<double>(end.ResumeFile);
        Assert.Equal("3", atEnd.Metadata["state.position"]);
        Assert.Contains(atEnd.Tensors, t => t.Name.StartsWith("carry.", StringComparison.Ordinal));
        Assert.Equal(expected.StepLosses, Run(end with { Resume = true }).StepLosses);

        // Cancelled before the first step: position 0, nothing carried yet, and the resumed run starts from the initial state.
        var start = new TrainingControl { ResumeFile = dir.File("start.safetensors"), Cancellation = new CancellationToken(canceled: true) };
        Assert.Throws<TrainingInterruptedException>(() => Run(start));
        var atStart = SafeTensors.Load<double>(start.ResumeFile);
        Assert.Equal("0", atStart.Metadata["state.position"]);
        Assert.Equal("carried", atStart.Metadata["run.trainer.kind"]);
        Assert.DoesNotContain(atStart.Tensors, t => t.Name.StartsWith("carry.", StringComparison.Ordinal));
        Assert.Equal(expected.StepLosses, Run(start with { Cancellation = default, Resume = true }).StepLosses);
    }
}
