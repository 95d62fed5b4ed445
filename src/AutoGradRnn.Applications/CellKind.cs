using System.Runtime.Serialization;

namespace AutoGradRnn.Applications;

/// <summary>
/// The recurrent cells an application can be built from, each named after the type it builds. The names users
/// type and checkpoints store (<c>gru</c> = <see cref="GruResetAfter"/>, …) are mapped explicitly by
/// <see cref="CellKinds.Parse"/> and <see cref="CellKinds.Name"/>, so renaming a member never changes them.
/// </summary>
/// <remarks>
/// The numeric values and the <see cref="EnumMemberAttribute"/> names are those of the kinds before issue 17
/// (<c>Gru</c>, <c>Peephole</c>, <c>Coupled</c>, <c>GruEssay</c>): runs record them in their identity, so a
/// resume file written before the rename still matches.
/// </remarks>
public enum CellKind
{
    /// <summary><see cref="Rnn{T}"/>, the single tanh layer (<c>rnn</c>).</summary>
    Rnn = 0,
    /// <summary><see cref="Lstm{T}"/> (<c>lstm</c>).</summary>
    Lstm = 1,
    /// <summary><see cref="GruResetAfter{T}"/>: the GRU PyTorch, cuDNN and Keras compute, so results compare with theirs (<c>gru</c>).</summary>
    [EnumMember(Value = "Gru")] GruResetAfter = 2,
    /// <summary><see cref="PeepholeLstm{T}"/> with diagonal peepholes (<c>peephole</c>).</summary>
    [EnumMember(Value = "Peephole")] PeepholeLstm = 3,
    /// <summary><see cref="CoupledLstm{T}"/> (<c>coupled</c>).</summary>
    [EnumMember(Value = "Coupled")] CoupledLstm = 4,
    /// <summary><see cref="Gru{T}"/>: the essay's GRU, reset before the product (<c>gru-essay</c>).</summary>
    [EnumMember(Value = "GruEssay")] Gru = 5,
}

/// <summary>Something to do with a cell whose state type is only known once the kind is chosen.</summary>
public interface ICellVisitor<out TResult>
{
    /// <summary>Called with a factory <c>(inputSize, hiddenSize, seed) → cell</c> for the chosen kind.</summary>
    TResult Visit<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create);
}

/// <summary>Turns a <see cref="CellKind"/> (and an initialisation) into cells, and parses kind names.</summary>
public static class CellKinds
{
    /// <summary>Calls <paramref name="visitor"/> with a factory for <paramref name="kind"/>, initialised by <paramref name="init"/>.</summary>
    public static TResult Visit<TResult>(CellKind kind, CellInit init, ICellVisitor<TResult> visitor)
    {
        ArgumentNullException.ThrowIfNull(init);
        ArgumentNullException.ThrowIfNull(visitor);
        return kind switch
        {
            CellKind.Rnn => visitor.Visit<RnnState<float>>((d, h, s) => Rnn<float>.Create(d, h, s, init)),
            CellKind.Lstm => visitor.Visit<LstmState<float>>((d, h, s) => Lstm<float>.Create(d, h, s, init)),
            CellKind.GruResetAfter => visitor.Visit<RnnState<float>>((d, h, s) => GruResetAfter<float>.Create(d, h, s, init)),
            CellKind.PeepholeLstm => visitor.Visit<LstmState<float>>((d, h, s) => PeepholeLstm<float>.Create(d, h, s, diagonal: true, init)),
            CellKind.CoupledLstm => visitor.Visit<LstmState<float>>((d, h, s) => CoupledLstm<float>.Create(d, h, s, init)),
            CellKind.Gru => visitor.Visit<RnnState<float>>((d, h, s) => Gru<float>.Create(d, h, s, init)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), $"unknown cell kind {kind}"),
        };
    }

    /// <summary>Parses the command-line and checkpoint names <c>rnn</c>, <c>lstm</c>, <c>gru</c>, <c>peephole</c>, <c>coupled</c>, <c>gru-essay</c> (case-insensitive).</summary>
    public static CellKind Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "rnn" => CellKind.Rnn, "lstm" => CellKind.Lstm, "gru" => CellKind.GruResetAfter, "peephole" => CellKind.PeepholeLstm,
            "coupled" => CellKind.CoupledLstm, "gru-essay" => CellKind.Gru,
            _ => throw new ArgumentException($"unknown cell '{name}' (rnn, lstm, gru, peephole, coupled, gru-essay)", nameof(name)),
        };
    }

    /// <summary>The command-line name of a kind.</summary>
    public static string Name(CellKind kind) => kind switch
    {
        CellKind.Rnn => "rnn", CellKind.Lstm => "lstm", CellKind.GruResetAfter => "gru", CellKind.PeepholeLstm => "peephole",
        CellKind.CoupledLstm => "coupled", CellKind.Gru => "gru-essay",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), $"unknown cell kind {kind}"),
    };

    /// <summary><paramref name="layers"/> cells of one kind stacked, the first reading <paramref name="inputSize"/> features.</summary>
    public static Stacked<TState, float> Stack<TState>(Func<int, int, long, IRecurrentCell<TState, float>> create, int inputSize, int hiddenSize, int layers, long seed)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (layers <= 0) throw new ArgumentOutOfRangeException(nameof(layers), $"layers {layers} must be positive");
        return Stacked<TState, float>.Of(Enumerable.Range(0, layers).Select(l => create(l == 0 ? inputSize : hiddenSize, hiddenSize, seed + 1000 * l)).ToArray());
    }
}
