using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>One block of a 2-D (time × depth) Grid LSTM: an LSTM transform along each dimension, both reading the same H.</summary>
public sealed record GridLstmBlock<T>(GridLstmTransform<T> Time, GridLstmTransform<T> Depth) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// The state of a <see cref="GridLstm{T}"/> between time steps: each layer's time-dimension (h, m) (as an
/// <see cref="LstmState{T}"/>: H = h, C = m), and the top block's depth output, the network's output.
/// </summary>
public sealed record GridLstmState<T>(LstmState<T>[] Time, Tensor<T> Top) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>The transforms' gates at one time step, per layer: along time and along depth (input gate = g^u).</summary>
public sealed record GridLstmGates<T>(LstmGates<T>[] Time, LstmGates<T>[] Depth) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// A 2-D Grid LSTM over time × depth (Kalchbrenner, Danihelka &amp; Graves 2015), as a cell that unrolls over a sequence.
/// Block (t, n) of layer n = 1…N at step t receives a hidden vector and a memory along each dimension: along time
/// from block (t−1, n), along depth from block (t, n−1). Both of its LSTM transforms (<see cref="GridLstmTransform{T}"/>)
/// read the concatenation of the two hidden vectors, and each updates its own dimension's memory:
/// <code>
/// H = [h_{t−1,n}^time, h_{t,n−1}^depth]
/// (h_{t,n}^time,  m_{t,n}^time)  = LSTM(H, m_{t−1,n}^time;  W_n^time)
/// (h_{t,n}^depth, m_{t,n}^depth) = LSTM(H, m_{t,n−1}^depth; W_n^depth)
/// h_{t,0}^depth = I·x_t,  m_{t,0}^depth = 0
/// y_t = h_{t,N}^depth
/// </code>
/// Unlike a stacked LSTM, the depth dimension has memory cells and gates of its own, so gradients flow through depth
/// as they do through time. The input enters the bottom of the depth dimension through the projection I <c>[D, k]</c>;
/// the time-dimension states (one per layer) are carried; the depth dimension starts afresh at every step. Weights
/// are not tied across layers.
/// </summary>
public sealed record GridLstm<T>(Tensor<T> Projection, GridLstmBlock<T>[] Blocks) : IGatedCell<GridLstmState<T>, GridLstmGates<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Number of depth layers N.</summary>
    public int Layers => Blocks.Length;

    /// <inheritdoc/>
    public int InputSize => Projection.Shape[0];

    /// <summary>Size of the depth dimension's h and m, and of the output y_t.</summary>
    public int OutputSize => Projection.Shape[1];

    /// <summary>Size of the time dimension's h and m.</summary>
    public int TimeSize => Blocks[0].Time.Size;

    /// <summary>
    /// A new grid of <paramref name="layers"/> ≥ 1 blocks, both dimensions of <paramref name="hiddenSize"/> units (default
    /// init: U(±1/√k) weights, forget biases 1; I drawn like an input block).
    /// </summary>
    public static GridLstm<T> Create(int inputSize, int hiddenSize, int layers, long seed, CellInit? init = null, GridLstmOutput output = GridLstmOutput.Paper)
    {
        CellChecks.Count("grid lstm", "layers", layers, nameof(layers));
        CellChecks.Sizes("grid lstm", inputSize, hiddenSize);
        var (i, rng) = (init ?? new CellInit(), new Rng(seed));
        var projection = i.Block<T>(rng, inputSize, hiddenSize, recurrent: false);
        var blocks = Enumerable.Range(0, layers).Select(_ => new GridLstmBlock<T>(
            GridLstmTransform<T>.Create(rng, i, hiddenSize, hiddenSize, hiddenSize, recurrentBlock: 0, output),
            GridLstmTransform<T>.Create(rng, i, hiddenSize, hiddenSize, hiddenSize, recurrentBlock: 1, output))).ToArray();
        return Of(projection, blocks);
    }

    /// <summary>Assembles a grid, checking that every block reads [h^time, h^depth] and keeps the sizes of both dimensions.</summary>
    public static GridLstm<T> Of(Tensor<T> projection, params GridLstmBlock<T>[] blocks)
    {
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(blocks);
        CellChecks.Count("grid lstm", "layers", blocks.Length, nameof(blocks));
        if (projection.Rank != 2) throw new ShapeMismatchException("grid lstm", "the input projection I must be [D, k]", projection.Shape);
        int depth = projection.Shape[1], time = blocks[0].Time.Size;
        for (int n = 0; n < blocks.Length; n++)
        {
            var (t, d) = (blocks[n].Time, blocks[n].Depth);
            if (t.Size != time || d.Size != depth || t.InputSize != time + depth || d.InputSize != time + depth)
                throw new ShapeMismatchException("grid lstm",
                    $"block {n} must map H = [h^time ({time}), h^depth ({depth})] to {time} time and {depth} depth units, but its transforms are {t.Wu.Shape} and {d.Wu.Shape}",
                    t.Wu.Shape, d.Wu.Shape, projection.Shape);
        }
        return new(projection, blocks);
    }

    /// <summary>Zero (h, m) along time for every layer, and a zero output.</summary>
    public GridLstmState<T> InitialState(int batchSize)
    {
        CellChecks.Batch("grid lstm", batchSize);
        return new([.. Blocks.Select(b => new LstmState<T>(Tensor.Zeros<T>(batchSize, b.Time.Size), Tensor.Zeros<T>(batchSize, b.Time.Size)))],
            Tensor.Zeros<T>(batchSize, OutputSize));
    }

    /// <summary>One time step: up through the N blocks, each reading its own time state and the depth output of the block below.</summary>
    public (GridLstmState<T> State, GridLstmGates<T> Gates) StepWithGates(GridLstmState<T> state, Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(state);
        CellChecks.Parameters<T>(Sequence.CellName(this), this);
        CellChecks.Count("grid lstm", "layers", Blocks.Length, nameof(Blocks));   // `with { Blocks = [] }` would otherwise step as a bare projection
        CellChecks.Input("grid lstm", input, InputSize);
        ArgumentNullException.ThrowIfNull(state.Time);
        CellChecks.Layers("grid lstm step", state.Time.Length, Layers, input.Shape);
        CellChecks.Step("grid lstm", this, state, input);
        var time = new LstmState<T>[Layers];
        var (timeGates, depthGates) = (new LstmGates<T>[Layers], new LstmGates<T>[Layers]);
        var hDepth = MatMul(input, Projection);                                   // h_{t,0}^depth = I·x_t
        var mDepth = Tensor.Zeros<T>(input.Shape[0], OutputSize);                 // m_{t,0}^depth = 0
        for (int n = 0; n < Layers; n++)
        {
            var hiddens = Concat(state.Time[n].H, hDepth);                        // H = [h_{t−1,n}^time, h_{t,n−1}^depth]
            var (hTime, mTime, gTime) = Blocks[n].Time.Apply(hiddens, state.Time[n].C);   // (h^time, m^time)_{t,n} = LSTM(H, m_{t−1,n}^time; W_n^time)
            (hDepth, mDepth, depthGates[n]) = Blocks[n].Depth.Apply(hiddens, mDepth);    // (h^depth, m^depth)_{t,n} = LSTM(H, m_{t,n−1}^depth; W_n^depth)
            (time[n], timeGates[n]) = (new(hTime, mTime), gTime);
        }
        return (new(time, hDepth), new(timeGates, depthGates));                   // y_t = h_{t,N}^depth
    }

    /// <inheritdoc/>
    public GridLstmState<T> Step(GridLstmState<T> state, Tensor<T> input) => StepWithGates(state, input).State;

    /// <summary>y_t = h_{t,N}^depth, the top block's depth output.</summary>
    public Tensor<T> Output(GridLstmState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Top;
    }
}
