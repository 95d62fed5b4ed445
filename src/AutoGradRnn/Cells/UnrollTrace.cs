using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// How <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/> ran one cell over one
/// sequence: through its fused kernel (one tape node for the whole sequence) or step by step (one node per equation
/// per step), and why. A stack of layers gives one path per layer.
/// </summary>
/// <param name="Cell">The cell's type name, e.g. <c>Lstm</c>, or <c>Stacked[1]: Lstm</c> for layer 1 of a stack.</param>
/// <param name="Fused">True when the fused kernel ran.</param>
/// <param name="Reason">The kernel's name when fused; otherwise what kept the sequence off the fused path (e.g. "no fused kernel for ClockworkRnn").</param>
public sealed record UnrollPath(string Cell, bool Fused, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Cell}: {(Fused ? "fused" : "per-step")} ({Reason})";
}

/// <summary>
/// Records every unroll path taken on this thread (and the tasks it awaits) while it is open, like a profiler scope:
/// <c>using var trace = UnrollTrace.Start(); …; trace.Paths</c>. A training loop that should run fused can assert
/// <c>trace.Paths.All(p =&gt; p.Fused)</c>; nothing is recorded when no trace is open. (An unroll that records on a tape
/// also leaves its path there, as text: <see cref="Tape{T}.Annotations"/>.)
/// </summary>
public sealed class UnrollTrace : IDisposable
{
    private static readonly AsyncLocal<UnrollTrace?> current = new();
    private readonly UnrollTrace? outer;
    private readonly List<UnrollPath> paths = [];
    private readonly Lock gate = new();

    private UnrollTrace(UnrollTrace? outer) => this.outer = outer;

    /// <summary>Opens a trace; unrolls run until it is disposed are recorded in it (and in any trace it is nested in).</summary>
    public static UnrollTrace Start() => current.Value = new UnrollTrace(current.Value);

    /// <summary>The paths recorded so far, in order.</summary>
    public IReadOnlyList<UnrollPath> Paths { get { lock (gate) return [.. paths]; } }

    /// <summary>The recorded paths that did not run fused.</summary>
    public IReadOnlyList<UnrollPath> PerStep => [.. Paths.Where(p => !p.Fused)];

    internal static void Record(UnrollPath path)
    {
        for (var t = current.Value; t is not null; t = t.outer)
            lock (t.gate) t.paths.Add(path);
    }

    /// <summary>Stops recording (restores the enclosing trace, if any).</summary>
    public void Dispose()
    {
        if (current.Value == this) current.Value = outer;
    }
}
