using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Everything the trainer's fold carries from one step to the next. Saving it at a step boundary and loading it back
/// continues the run bit-identically: the doubles are kept exactly, and the shuffle is replayed from the generator's
/// state at the epoch's start.
/// </summary>
internal sealed class TrainerState<TParams, TCarry, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public required TParams Parameters;
    public required OptimizerState<T> Optimizer;
    public required TParams Best;
    public List<double> StepLosses = [];
    public List<double> Norms = [];
    public List<EpochSummary> Epochs = [];
    public double BestLoss = double.PositiveInfinity;
    public int BestEpoch = -1;
    public int Waited;
    public double LastValidation = double.NaN;
    public long Items;
    /// <summary>The epoch under way and the next position in its order.</summary>
    public int Epoch, Position;
    /// <summary>The shuffle generator's state at this epoch's start, before it drew the epoch's order.</summary>
    public ulong[] EpochRng = [];
    /// <summary>The state carried into the batch at <see cref="Position"/> (meaningful when Position &gt; 0).</summary>
    public TCarry Carry = default!;
    /// <summary>This epoch's items-weighted loss sum and item count so far.</summary>
    public double EpochLoss, EpochItems;
    /// <summary>Wall time of the run before this process took it up.</summary>
    public TimeSpan Elapsed;
}
