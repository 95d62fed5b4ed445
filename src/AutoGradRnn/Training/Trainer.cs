using System.Diagnostics;
using System.Numerics;

namespace AutoGradRnn;

/// <summary>How the <see cref="Trainer{T}"/> runs.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training batches.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Stop after this many optimizer steps in total (0: no limit).</summary>
    public long MaxSteps { get; init; }
    /// <summary>Clip the global gradient norm to this value (0: no clipping). The pre-clip norm is always reported.</summary>
    public double ClipNorm { get; init; }
    /// <summary>Early stopping: stop after this many epochs without a validation improvement (0: never stop early).</summary>
    public int Patience { get; init; }
    /// <summary>The least decrease of the validation loss that counts as an improvement.</summary>
    public double MinDelta { get; init; }
    /// <summary>With validation data, return the parameters of the best validation epoch rather than the last.</summary>
    public bool RestoreBest { get; init; } = true;
    /// <summary>Shuffle the order of independent batches each epoch (never done for carried state, which needs time order).</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>Seed of the shuffling.</summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (Epochs <= 0) throw new ArgumentOutOfRangeException(nameof(Epochs), $"trainer: epochs {Epochs} must be positive");
        if (MaxSteps < 0) throw new ArgumentOutOfRangeException(nameof(MaxSteps), $"trainer: max steps {MaxSteps} must be ≥ 0");
        if (!(ClipNorm >= 0) || !double.IsFinite(ClipNorm)) throw new ArgumentOutOfRangeException(nameof(ClipNorm), $"trainer: clip norm {ClipNorm} must be finite and ≥ 0");
        if (Patience < 0) throw new ArgumentOutOfRangeException(nameof(Patience), $"trainer: patience {Patience} must be ≥ 0");
        if (!(MinDelta >= 0) || !double.IsFinite(MinDelta)) throw new ArgumentOutOfRangeException(nameof(MinDelta), $"trainer: min delta {MinDelta} must be finite and ≥ 0");
    }
}

/// <summary>What the trainer reports after every step (through <see cref="IProgress{T}"/>): enough to draw a progress bar or a live loss curve.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">Optimizer steps taken so far (1-based after the first step).</param>
/// <param name="TotalSteps">Steps the run will take if it is not stopped early.</param>
/// <param name="Loss">This step's training loss.</param>
/// <param name="GradientNorm">The global gradient norm before clipping.</param>
/// <param name="LearningRate">The learning rate used for this step.</param>
/// <param name="ItemsPerSecond">Tokens or samples per second over the run so far.</param>
/// <param name="ValidationLoss">The last validation loss (NaN before the first validation).</param>
/// <param name="Elapsed">Wall time since the run started.</param>
public sealed record TrainingProgress(int Epoch, long Step, long TotalSteps, double Loss, double GradientNorm, double LearningRate,
    double ItemsPerSecond, double ValidationLoss, TimeSpan Elapsed);

/// <summary>One epoch's averages (validation loss NaN without validation data).</summary>
public sealed record EpochSummary(int Epoch, double TrainLoss, double ValidationLoss, TimeSpan Elapsed);

/// <summary>The outcome of a run: the parameters (the best validation epoch's with <see cref="TrainerOptions.RestoreBest"/>), the optimizer state, and the history.</summary>
public sealed record TrainingResult<TParams, T>(
    TParams Parameters, OptimizerState<T> OptimizerState, IReadOnlyList<double> StepLosses, IReadOnlyList<double> GradientNorms,
    IReadOnlyList<EpochSummary> Epochs, bool StoppedEarly, int BestEpoch) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>Thrown when the loss or the gradient norm stops being finite; names the epoch, step and values.</summary>
public sealed class TrainingDivergedException : ArithmeticException
{
    internal TrainingDivergedException(int epoch, long step, double loss, double norm)
        : base($"training diverged at epoch {epoch}, step {step}: loss {loss}, gradient norm {norm}; lower the learning rate or clip gradients (ClipNorm)")
    { Epoch = epoch; Step = step; Loss = loss; GradientNorm = norm; }

    /// <summary>0-based epoch.</summary>
    public int Epoch { get; }
    /// <summary>The step that diverged.</summary>
    public long Step { get; }
    /// <summary>Its loss.</summary>
    public double Loss { get; }
    /// <summary>Its gradient norm.</summary>
    public double GradientNorm { get; }
}

/// <summary>
/// Training as a pure fold over batches: each step is <c>ValueAndGrad</c> → optional clipping → the optimizer's
/// pure update. Given the same seed and inputs on one thread, two runs produce bit-identical losses and
/// parameters. Two forms:
/// <list type="bullet">
/// <item><see cref="Fit{TParams, TBatch}"/> for independent batches (classification, forecasting windows).</item>
/// <item><see cref="FitCarried{TParams, TBatch, TCarry}"/> for truncated BPTT: the final state of batch k, detached
/// from batch k's graph, is the initial state of batch k+1; batches stay in time order.</item>
/// </list>
/// </summary>
public static class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Trains on independent batches; <paramref name="validation"/> may be empty (then no early stopping).
    /// <paramref name="control"/> makes the run resumable: snapshots, cancellation and resuming (see <see cref="TrainingControl"/>).
    /// </summary>
    public static TrainingResult<TParams, T> Fit<TParams, TBatch>(
        TParams parameters, IOptimizer<T> optimizer, Func<TParams, TBatch, Tensor<T>> loss,
        IReadOnlyList<TBatch> train, IReadOnlyList<TBatch> validation, TrainerOptions options, IProgress<TrainingProgress>? progress = null,
        TrainingControl? control = null)
        where TBatch : ITrainingBatch
    {
        ArgumentNullException.ThrowIfNull(loss);
        return Run(parameters, optimizer, (p, _, b, _) => (loss(p, b), 0), (p, _, b) => (loss(p, b), 0), _ => 0, train, validation, options, progress, control, carried: false);
    }

    /// <summary>
    /// Trains with a state carried from each batch to the next (truncated BPTT). <paramref name="loss"/> returns the
    /// batch loss and the final state; <paramref name="initialState"/> gives the state at the start of each epoch and
    /// of each validation pass. <paramref name="control"/> makes the run resumable, as for <see cref="Fit{TParams, TBatch}"/>.
    /// <paramref name="afterStep"/>, if given, is called after every optimizer step with the updated parameters and the
    /// losses of all steps so far (their count is the step, a resumed run's earlier steps included), before the snapshot of
    /// that step is saved: a caller's mid-run evaluation, e.g. a learning curve.
    /// </summary>
    public static TrainingResult<TParams, T> FitCarried<TParams, TBatch, TCarry>(
        TParams parameters, IOptimizer<T> optimizer, Func<TParams, TCarry, TBatch, (Tensor<T> Loss, TCarry Final)> loss,
        Func<TParams, TCarry> initialState, IReadOnlyList<TBatch> train, IReadOnlyList<TBatch> validation,
        TrainerOptions options, IProgress<TrainingProgress>? progress = null, TrainingControl? control = null,
        Action<TParams, IReadOnlyList<double>>? afterStep = null)
        where TBatch : ITrainingBatch
    {
        ArgumentNullException.ThrowIfNull(loss);
        return Run(parameters, optimizer, (p, c, b, _) => loss(p, c, b), loss, initialState, train, validation, options, progress, control, carried: true, afterStep);
    }

    /// <summary>
    /// <see cref="FitCarried{TParams, TBatch, TCarry}"/> with the training mode explicit: <paramref name="trainingLoss"/> also receives the run's step index k (0 for the first optimizer
    /// step, counted across epochs and resumes), so training-time randomness such as dropout masks can be drawn from
    /// (seed, k) (<see cref="DropoutMasks.Stream"/>): pure, and bit-identical when the run is resumed.
    /// <paramref name="evaluationLoss"/> (no dropout) measures the validation batches; <paramref name="afterStep"/> is as in
    /// <see cref="FitCarried{TParams, TBatch, TCarry}"/>.
    /// </summary>
    public static TrainingResult<TParams, T> FitCarriedStepped<TParams, TBatch, TCarry>(
        TParams parameters, IOptimizer<T> optimizer, Func<TParams, TCarry, TBatch, long, (Tensor<T> Loss, TCarry Final)> trainingLoss,
        Func<TParams, TCarry, TBatch, (Tensor<T> Loss, TCarry Final)> evaluationLoss,
        Func<TParams, TCarry> initialState, IReadOnlyList<TBatch> train, IReadOnlyList<TBatch> validation,
        TrainerOptions options, IProgress<TrainingProgress>? progress = null, TrainingControl? control = null,
        Action<TParams, IReadOnlyList<double>>? afterStep = null)
        where TBatch : ITrainingBatch
    {
        ArgumentNullException.ThrowIfNull(trainingLoss);
        ArgumentNullException.ThrowIfNull(evaluationLoss);
        return Run(parameters, optimizer, trainingLoss, evaluationLoss, initialState, train, validation, options, progress, control, carried: true, afterStep);
    }

    /// <summary>
    /// <see cref="Fit{TParams, TBatch}"/> with the training mode explicit: <paramref name="trainingLoss"/> also receives the
    /// run's step index (see <see cref="FitCarriedStepped{TParams, TBatch, TCarry}"/>);
    /// <paramref name="evaluationLoss"/> measures the validation batches.
    /// </summary>
    public static TrainingResult<TParams, T> FitStepped<TParams, TBatch>(
        TParams parameters, IOptimizer<T> optimizer, Func<TParams, TBatch, long, Tensor<T>> trainingLoss, Func<TParams, TBatch, Tensor<T>> evaluationLoss,
        IReadOnlyList<TBatch> train, IReadOnlyList<TBatch> validation, TrainerOptions options, IProgress<TrainingProgress>? progress = null,
        TrainingControl? control = null)
        where TBatch : ITrainingBatch
    {
        ArgumentNullException.ThrowIfNull(trainingLoss);
        ArgumentNullException.ThrowIfNull(evaluationLoss);
        return Run(parameters, optimizer, (p, _, b, k) => (trainingLoss(p, b, k), 0), (p, _, b) => (evaluationLoss(p, b), 0), _ => 0, train, validation, options, progress, control, carried: false);
    }

    /// <summary>The items-weighted mean loss over <paramref name="batches"/>, carrying state from batch to batch. Records nothing on any tape.</summary>
    public static double Evaluate<TParams, TBatch, TCarry>(TParams parameters, Func<TParams, TCarry, TBatch, (Tensor<T> Loss, TCarry Final)> loss,
        Func<TParams, TCarry> initialState, IReadOnlyList<TBatch> batches) where TBatch : ITrainingBatch
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(initialState);
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0) throw new ArgumentException("evaluate: no batches", nameof(batches));
        var carry = initialState(parameters);
        double sum = 0, items = 0;
        foreach (var batch in batches)
        {
            var (l, final) = loss(parameters, carry, batch);
            carry = final;
            sum += double.CreateTruncating(l.ToScalar()) * batch.Items;
            items += batch.Items;
        }
        return sum / items;
    }

    private static TrainingResult<TParams, T> Run<TParams, TBatch, TCarry>(
        TParams parameters, IOptimizer<T> optimizer, Func<TParams, TCarry, TBatch, long, (Tensor<T> Loss, TCarry Final)> loss,
        Func<TParams, TCarry, TBatch, (Tensor<T> Loss, TCarry Final)> evaluationLoss,
        Func<TParams, TCarry> initialState, IReadOnlyList<TBatch> train, IReadOnlyList<TBatch> validation,
        TrainerOptions options, IProgress<TrainingProgress>? progress, TrainingControl? control, bool carried,
        Action<TParams, IReadOnlyList<double>>? afterStep = null)
        where TBatch : ITrainingBatch
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(initialState);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        control ??= new TrainingControl();
        control.Validate();
        if (train.Count == 0) throw new ArgumentException("trainer: there are no training batches", nameof(train));

        long totalSteps = (long)options.Epochs * train.Count;
        if (options.MaxSteps > 0) totalSteps = Math.Min(totalSteps, options.MaxSteps);
        // The caller's identity first (it names the application and its options), then what the trainer itself depends on.
        var identity = control.Identity.Concat(RunIdentity.Options(options, "trainer.")).Concat(
        [
            new("trainer.kind", carried ? "carried" : "independent"), new("trainer.optimizer", optimizer.GetType().Name),
            new("trainer.train_batches", RunIdentity.Format(train.Count)), new("trainer.validation_batches", RunIdentity.Format(validation.Count)),
        ]).Concat(RunIdentity.Options(optimizer, "optimizer.")).ToList();   // its hyperparameters, the schedule by its description
        var s = control.Resume
            ? TrainerSnapshot.Load<TParams, TCarry, T>(control.ResumeFile, identity, parameters, optimizer.Init(parameters), initialState)
            : new TrainerState<TParams, TCarry, T> { Parameters = parameters, Optimizer = optimizer.Init(parameters), Best = parameters, EpochRng = new Rng(options.Seed).CaptureState() };
        bool resuming = control.Resume;
        bool stoppedEarly = false;
        var clock = Stopwatch.StartNew();
        TimeSpan Elapsed() => s.Elapsed + clock.Elapsed;
        void Save()
        {
            var elapsed = s.Elapsed;
            s.Elapsed = Elapsed();
            TrainerSnapshot.Save(control.ResumeFile, s, identity, control.Extra);
            s.Elapsed = elapsed;
        }
        var rng = Rng.FromState(s.EpochRng);
        var step = ValueAndGradCarried(loss);

        for (; s.Epoch < options.Epochs && s.StepLosses.Count < totalSteps; s.Epoch++)
        {
            // Saved so that a resumed run draws this epoch's order, and every later one, exactly as this run does.
            s.EpochRng = rng.CaptureState();
            var order = Enumerable.Range(0, train.Count).ToArray();
            if (!carried && options.Shuffle)
                for (int i = order.Length - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (order[i], order[j]) = (order[j], order[i]); }
            if (!resuming || s.Position == 0)
            {
                s.Carry = initialState(s.Parameters);
                if (!resuming) (s.Position, s.EpochLoss, s.EpochItems) = (0, 0, 0);
            }
            resuming = false;
            while (s.Position < order.Length)
            {
                if (s.StepLosses.Count >= totalSteps) break;
                if (control.Cancellation.IsCancellationRequested)
                {
                    if (control.Saves) Save();
                    throw new TrainingInterruptedException(s.StepLosses.Count, totalSteps, control.ResumeFile);
                }
                var batch = train[order[s.Position]];
                var (value, grads, final) = step(s.Parameters, s.Carry, batch, s.StepLosses.Count);
                // Truncated BPTT: the next batch starts from this state, cut from this batch's graph.
                s.Carry = Detach(final);
                double l = double.CreateTruncating(value.ToScalar());
                double norm;
                (grads, norm) = options.ClipNorm > 0 ? GradientClipping<T>.ByGlobalNorm(grads, options.ClipNorm) : (grads, GradientClipping<T>.GlobalNorm(grads));
                if (!double.IsFinite(l) || !double.IsFinite(norm)) throw new TrainingDivergedException(s.Epoch, s.StepLosses.Count + 1, l, norm);
                double lr = optimizer.LearningRate.At(s.Optimizer.Step);
                (s.Parameters, s.Optimizer) = optimizer.Update(s.Parameters, grads, s.Optimizer);
                s.StepLosses.Add(l);
                s.Norms.Add(norm);
                s.Items += batch.Items;
                s.EpochLoss += l * batch.Items;
                s.EpochItems += batch.Items;
                s.Position++;
                progress?.Report(new TrainingProgress(s.Epoch, s.StepLosses.Count, totalSteps, l, norm, lr,
                    s.Items / Math.Max(Elapsed().TotalSeconds, 1e-9), s.LastValidation, Elapsed()));
                afterStep?.Invoke(s.Parameters, s.StepLosses);
                // By step count, so that where snapshots fall does not depend on timing; none after the last step.
                if (control.Saves && control.CheckpointEvery > 0 && s.StepLosses.Count % control.CheckpointEvery == 0 && s.StepLosses.Count < totalSteps) Save();
            }
            if (validation.Count > 0)
            {
                s.LastValidation = Evaluate(s.Parameters, evaluationLoss, initialState, validation);
                if (s.LastValidation < s.BestLoss - options.MinDelta) (s.Best, s.BestLoss, s.BestEpoch, s.Waited) = (s.Parameters, s.LastValidation, s.Epoch, 0);
                else s.Waited++;
            }
            s.Epochs.Add(new EpochSummary(s.Epoch, s.EpochItems > 0 ? s.EpochLoss / s.EpochItems : double.NaN, s.LastValidation, Elapsed()));
            s.Position = 0;
            if (options.Patience > 0 && s.Waited >= options.Patience) { stoppedEarly = true; break; }
        }
        var result = validation.Count > 0 && options.RestoreBest && s.BestEpoch >= 0 ? s.Best : s.Parameters;
        return new TrainingResult<TParams, T>(result, s.Optimizer, s.StepLosses, s.Norms, s.Epochs, stoppedEarly, s.BestEpoch);
    }

    private static Func<TParams, TCarry, TBatch, long, (Tensor<T> Value, TParams Gradient, TCarry Final)> ValueAndGradCarried<TParams, TBatch, TCarry>(
        Func<TParams, TCarry, TBatch, long, (Tensor<T> Loss, TCarry Final)> loss) =>
        (p, carry, batch, k) => Autodiff.ValueAndGradWithAux((TParams q) => loss(q, carry, batch, k))(p);

    private static TCarry Detach<TCarry>(TCarry carry) => carry is null ? carry : ParameterTree<T>.Map(carry, t => t.Detach());
}
