using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Computes the gradient contribution to input <paramref name="inputIndex"/> of an op, given the
/// gradient of the op's output. It is only called for inputs that are tracked.
/// </summary>
public delegate Tensor<T> BackwardRule<T>(Tensor<T> outputGradient, int inputIndex) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// A recording of operations, in the order they ran. Each entry holds the op's name, its inputs, its
/// output and the op's own backward rule. <see cref="Backward(Tensor{T})"/> walks the entries in reverse,
/// so the recording order is already a topological order and no graph sort is needed.
/// </summary>
/// <remarks>
/// There is no global tape: a tape exists only while someone holds it, and tensors know the tape they
/// were recorded on. Independent tapes on different threads never interact. A single tape is not
/// thread-safe; record on it from one thread.
/// </remarks>
public sealed class Tape<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Node> nodes = [];

    private sealed record Node(string Op, Tensor<T> Output, Tensor<T>[] Inputs, BackwardRule<T>? Backward);

    /// <summary>Creates an empty tape.</summary>
    /// <param name="detectAnomaly">
    /// When true (PyTorch's <c>detect_anomaly</c>), the first op whose forward output or backward
    /// gradient contains NaN or ±∞ throws <see cref="AnomalyException"/> naming the op and its input shapes.
    /// </param>
    public Tape(bool detectAnomaly = false) => DetectAnomaly = detectAnomaly;

    /// <summary>Whether NaN/∞ checks run after every recorded op (forward and backward).</summary>
    public bool DetectAnomaly { get; }

    /// <summary>False while a backward pass runs: ops a backward rule performs on tracked tensors are not recorded.</summary>
    internal bool Recording { get; private set; } = true;

    private List<Action>? releases;

    /// <summary>
    /// True for the private tape of a gradient transform, which runs exactly one backward pass: ops may then consume
    /// what they saved for it (PyTorch's default, retain_graph=False), e.g. write gradients over saved activations.
    /// </summary>
    internal bool SingleBackward { get; init; }

    /// <summary>Registers the return of pooled memory an op saved for its backward pass, for <see cref="Release"/>.</summary>
    internal void OnRelease(Action release) => (releases ??= []).Add(release);

    /// <summary>
    /// Hands back pooled memory ops saved for the backward pass, on the calling thread (so the next step's ops rent the
    /// same buffers instead of fresh pages). Called by the gradient transforms once their private tape is done; a tape
    /// nobody releases returns its buffers through finalizers.
    /// </summary>
    internal void Release()
    {
        var r = releases;
        releases = null;
        if (r is not null) foreach (var release in r) release();
    }

    private List<TapeAnnotation>? annotations;

    /// <summary>
    /// Notes left by code that decides how to record, in order (e.g. each unroll: its cell, fused or per-step, and why);
    /// empty when none. Costs nothing until the first note.
    /// </summary>
    public IReadOnlyList<TapeAnnotation> Annotations => annotations is null ? [] : [.. annotations];

    /// <summary>Adds a note that applies from the next recorded node on.</summary>
    internal void Annotate(string text) => (annotations ??= []).Add(new TapeAnnotation(nodes.Count, text));

    /// <summary>Number of recorded entries (tracked leaves and ops).</summary>
    public int Count => nodes.Count;

    /// <summary>The op names in recording order (for inspection and teaching; leaves are "leaf").</summary>
    public IReadOnlyList<string> Ops => nodes.Select(n => n.Op).ToList();

    /// <summary>
    /// The recorded graph, in recording order: each node's id, op, output shape and inputs (the id of a recorded input,
    /// or −1 for a constant that never touched the tape). Edges run from inputs to the nodes that consume them.
    /// </summary>
    public IReadOnlyList<TapeNode> Nodes =>
        nodes.Select((n, id) => new TapeNode(id, n.Op, n.Output.Shape, n.Inputs.Select(i => new TapeInput(i.Tape == this ? i.Id : -1, i.Shape)).ToList())).ToList();

    /// <summary>
    /// Starts tracking <paramref name="value"/>: returns a tensor with the same values, recorded on this
    /// tape as a leaf, so gradients can be asked for it.
    /// </summary>
    public Tensor<T> Track(Tensor<T> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Tape is not null && value.Tape != this)
            throw new InvalidOperationException($"Track: tensor {value.Shape} is already tracked on another tape; call Detach() first");
        var tracked = new Tensor<T>(value.Data, value.Shape, this, nodes.Count);
        nodes.Add(new Node("leaf", tracked, [], null));
        return tracked;
    }

    internal Tensor<T> Push(string op, Tensor<T> value, Tensor<T>[] inputs, BackwardRule<T> backward)
    {
        if (DetectAnomaly && !value.IsFinite())
            throw new AnomalyException(op, "forward", $"output {value.Shape} contains NaN or Inf", inputs.Select(i => i.Shape));
        var tracked = new Tensor<T>(value.Data, value.Shape, this, nodes.Count);
        nodes.Add(new Node(op, tracked, inputs, backward));
        return tracked;
    }

    /// <summary>Gradients of the scalar <paramref name="output"/> (one element) with respect to everything on this tape.</summary>
    public Gradients<T> Backward(Tensor<T> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Count != 1)
            throw new ShapeMismatchException("backward", $"output has {output.Count} elements; pass an output gradient (seed) for non-scalar outputs", output.Shape);
        return Backward(output, Tensor.Fill(T.One, output.Shape));
    }

    /// <summary>
    /// Vector–Jacobian product: the gradients of ⟨<paramref name="seed"/>, <paramref name="output"/>⟩
    /// with respect to everything recorded on this tape. Can be called more than once.
    /// </summary>
    public Gradients<T> Backward(Tensor<T> output, Tensor<T> seed)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(seed);
        if (output.Tape != this)
            throw new InvalidOperationException($"backward: output {output.Shape} is not recorded on this tape (did the function use any tracked input?)");
        if (seed.Shape != output.Shape)
            throw new ShapeMismatchException("backward", "seed and output shapes differ", seed.Shape, output.Shape);
        var grads = new Tensor<T>?[nodes.Count];
        grads[output.Id] = seed.Detach();
        // A backward rule may compute with the tracked tensors it captured (Ops.Custom rules often do);
        // that arithmetic is gradient bookkeeping, not part of the recorded function.
        Recording = false;
        try
        {
            for (int id = output.Id; id >= 0; id--)
            {
                var g = grads[id];
                var node = nodes[id];
                if (g is null || node.Backward is null) continue;
                for (int i = 0; i < node.Inputs.Length; i++)
                {
                    var input = node.Inputs[i];
                    if (input.Tape != this) continue; // constants and data: no gradient work at all
                    var gi = node.Backward(g, i).Detach();
                    // Broadcasting's adjoint, once for every op: sum the gradient back to the input's shape.
                    if (gi.Shape != input.Shape) gi = Broadcast.SumTo(gi, input.Shape);
                    if (DetectAnomaly && !gi.IsFinite())
                        throw new AnomalyException(node.Op, "backward", $"gradient for input {i} {input.Shape} contains NaN or Inf", node.Inputs.Select(x => x.Shape));
                    var acc = grads[input.Id];
                    grads[input.Id] = acc is null ? gi : Broadcast.Apply<T, AddKernel<T>>("accumulate", acc, gi);
                }
            }
        }
        finally
        {
            Recording = true;
        }
        return new Gradients<T>(this, grads);
    }
}

/// <summary>One recorded entry of a <see cref="Tape{T}"/>: a leaf (no inputs) or an op.</summary>
public sealed record TapeNode(int Id, string Op, Shape Output, IReadOnlyList<TapeInput> Inputs);

/// <summary>An input of a recorded op: the node that produced it (−1 for a constant) and its shape.</summary>
public sealed record TapeInput(int Id, Shape Shape);

/// <summary>The result of a backward pass: the gradient of the output with respect to any tensor recorded on the tape.</summary>
public sealed class Gradients<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tape<T> tape;
    private readonly Tensor<T>?[] grads;

    internal Gradients(Tape<T> tape, Tensor<T>?[] grads) { this.tape = tape; this.grads = grads; }

    /// <summary>
    /// ∂output/∂<paramref name="x"/>, shaped like <paramref name="x"/>; zeros when <paramref name="x"/> did not
    /// influence the output. <paramref name="x"/> must be recorded on the tape that ran the backward pass.
    /// </summary>
    public Tensor<T> this[Tensor<T> x]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(x);
            if (x.Tape != tape)
                throw new InvalidOperationException($"gradient requested for a tensor {x.Shape} that is not recorded on this tape (track it with tape.Track before using it)");
            return (x.Id < grads.Length ? grads[x.Id] : null) ?? Tensor.Zeros<T>(x.Shape);
        }
    }

    /// <summary>The gradient arriving at node <paramref name="id"/> of <see cref="Tape{T}.Nodes"/> (zeros of its shape if none arrived), for stepping through a backward pass.</summary>
    public Tensor<T> OfNode(int id)
    {
        var nodes = tape.Nodes;
        if ((uint)id >= (uint)nodes.Count) throw new ArgumentOutOfRangeException(nameof(id), $"node {id} is outside the tape's {nodes.Count} nodes");
        return (id < grads.Length ? grads[id] : null) ?? Tensor.Zeros<T>(nodes[id].Output);
    }
}

/// <summary>
/// Thrown in anomaly-detection mode when an op's forward output or backward gradient is not finite.
/// The message names the op, the pass and the op's input shapes.
/// </summary>
public sealed class AnomalyException : ArithmeticException
{
    internal AnomalyException(string op, string pass, string detail, IEnumerable<Shape> inputShapes)
        : base($"anomaly in {pass} of '{op}' (inputs {string.Join(", ", inputShapes)}): {detail}")
    {
        Op = op;
        Pass = pass;
    }

    /// <summary>The op that produced the first non-finite value.</summary>
    public string Op { get; }

    /// <summary>"forward" or "backward".</summary>
    public string Pass { get; }
}
