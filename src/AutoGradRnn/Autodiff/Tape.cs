using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// The backward rule of an op: given the gradients of its outputs, returns the gradients of all its inputs at once
/// (one entry per input, as tinygrad's rules return one tuple for all sources). It runs once per backward pass, when
/// the gradient of at least one output has arrived. An entry may be null where <see cref="BackwardContext{T}.NeedsGradient"/>
/// is false (the tape ignores it anyway), or to contribute nothing. An entry may have the output's broadcast shape:
/// the tape sums it back to the input's shape.
/// </summary>
public delegate Tensor<T>?[] BackwardRule<T>(BackwardContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>What a <see cref="BackwardRule{T}"/> is given: the output gradients, which inputs need one, and the tape.</summary>
public readonly struct BackwardContext<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>?[] grads;
    private readonly int slot, count;
    private readonly Tensor<T>[] inputs;

    internal BackwardContext(Tape<T> tape, Tensor<T>?[] grads, int slot, int count, Tensor<T>[] inputs) =>
        (Tape, this.grads, this.slot, this.count, this.inputs) = (tape, grads, slot, count, inputs);

    /// <summary>The tape running the backward pass, the one the op was recorded on.</summary>
    public Tape<T> Tape { get; }

    /// <summary>∂L/∂output for every output of the op, in order; null for an output no gradient reached (it was unused).</summary>
    public ReadOnlySpan<Tensor<T>?> OutputGradients => grads.AsSpan(slot, count);

    /// <summary>∂L/∂output for a single-output op (never null there, since the rule only runs once a gradient arrived).</summary>
    /// <exception cref="InvalidOperationException">Output 0 of a multi-output op received no gradient (read <see cref="OutputGradients"/>).</exception>
    public Tensor<T> Gradient => grads[slot] ?? throw new InvalidOperationException("output 0 received no gradient; read OutputGradients, which holds null for an unused output");

    /// <summary>True when input <paramref name="input"/> is recorded on the tape, so its gradient is used; skip the work otherwise.</summary>
    public bool NeedsGradient(int input) => inputs[input].Tape == Tape;
}

/// <summary>
/// A recording of operations, in the order they ran. Each entry holds the op's name, its inputs, its outputs (one or
/// more) and the op's own backward rule. <see cref="Backward(Tensor{T})"/> walks the entries in reverse, so the
/// recording order is already a topological order and no graph sort is needed.
/// </summary>
/// <remarks>
/// There is no global tape: a tape exists only while someone holds it, and tensors know the tape they
/// were recorded on. Independent tapes on different threads never interact. A single tape is not
/// thread-safe; record on it from one thread.
/// </remarks>
public sealed class Tape<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Every output has a slot (its tensor's Id) in the gradient array; a node's outputs take consecutive slots from Slot.
    private readonly List<Node> nodes = [];
    private int slots;

    private readonly record struct Node(string Op, Tensor<T>[] Outputs, Tensor<T>[] Inputs, BackwardRule<T>? Rule, int Slot, OpAttributes Attributes);

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

    /// <summary>Number of recorded entries (tracked leaves and ops; an op with several outputs is one entry).</summary>
    public int Count => nodes.Count;

    /// <summary>The op names in recording order (for inspection and teaching; leaves are "leaf").</summary>
    public IReadOnlyList<string> Ops => nodes.Select(n => n.Op).ToList();

    /// <summary>
    /// The recorded graph, in recording order: each node's id, op, output values and inputs (the node that produced a
    /// recorded input, or −1 for a constant that never touched the tape). Edges run from inputs to their consumers.
    /// </summary>
    public IReadOnlyList<TapeNode<T>> Nodes
    {
        get
        {
            var nodeOfSlot = new int[slots];
            for (int id = 0; id < nodes.Count; id++) Array.Fill(nodeOfSlot, id, nodes[id].Slot, nodes[id].Outputs.Length);
            TapeInput Input(Tensor<T> i) => i.Tape != this ? new TapeInput(-1, i.Shape)
                : new TapeInput(nodeOfSlot[i.Id], i.Shape, i.Id - nodes[nodeOfSlot[i.Id]].Slot);
            return nodes.Select((n, id) => new TapeNode<T>(id, n.Op, Array.AsReadOnly(n.Outputs), n.Inputs.Select(Input).ToList())).ToList();
        }
    }

    /// <summary>
    /// The recorded entries with everything an exporter needs (the constant inputs' values and each op's attributes), in
    /// recording order: what <see cref="OnnxTrace{T}"/> converts, one rule per op.
    /// </summary>
    internal IReadOnlyList<RecordedOp<T>> Recorded =>
        [.. nodes.Select(n => new RecordedOp<T>(n.Op, n.Inputs, n.Outputs, n.Attributes))];

    /// <summary>The first output of node <paramref name="id"/>.</summary>
    internal Tensor<T> NodeValue(int id) => (uint)id < (uint)nodes.Count ? nodes[id].Outputs[0]
        : throw new ArgumentOutOfRangeException(nameof(id), $"node {id} is outside the tape's {nodes.Count} nodes");

    /// <summary>
    /// Starts tracking <paramref name="value"/>: returns a tensor with the same values, recorded on this
    /// tape as a leaf, so gradients can be asked for it.
    /// </summary>
    public Tensor<T> Track(Tensor<T> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Tape is not null && value.Tape != this)
            throw new InvalidOperationException($"Track: tensor {value.Shape} is already tracked on another tape; call Detach() first");
        return Push("leaf", [value], [], null)[0];
    }

    /// <summary>Records an op: its outputs become tracked tensors on consecutive slots (returned, in order).</summary>
    internal Tensor<T>[] Push(string op, ReadOnlySpan<Tensor<T>> values, Tensor<T>[] inputs, BackwardRule<T>? rule, OpAttributes attributes = default)
    {
        var outputs = new Tensor<T>[values.Length];
        for (int o = 0; o < values.Length; o++)
        {
            if (DetectAnomaly && rule is not null && !values[o].IsFinite())
                throw new AnomalyException(op, "forward", $"output {values[o].Shape} contains NaN or Inf", inputs.Select(i => i.Shape));
            outputs[o] = new Tensor<T>(values[o].Data, values[o].Shape, this, slots + o);
        }
        nodes.Add(new Node(op, outputs, inputs, rule, slots, attributes));
        slots += outputs.Length;
        return outputs;
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
        var grads = new Tensor<T>?[slots];
        grads[output.Id] = seed.Detach();
        // A backward rule may compute with the tracked tensors it captured (Ops.Custom rules often do);
        // that arithmetic is gradient bookkeeping, not part of the recorded function.
        Recording = false;
        try
        {
            int last = nodes.Count - 1;
            while (nodes[last].Slot > output.Id) last--;
            for (int id = last; id >= 0; id--)
            {
                var node = nodes[id];
                if (node.Rule is null || Array.FindIndex(grads, node.Slot, node.Outputs.Length, g => g is not null) < 0) continue;   // no gradient arrived
                var inputGrads = node.Rule(new BackwardContext<T>(this, grads, node.Slot, node.Outputs.Length, node.Inputs));
                if (inputGrads?.Length != node.Inputs.Length)
                    throw new InvalidOperationException($"{node.Op}: the backward rule returned {inputGrads?.Length.ToString() ?? "null"} gradients for {node.Inputs.Length} inputs");
                for (int i = 0; i < node.Inputs.Length; i++)
                {
                    var input = node.Inputs[i];
                    if (input.Tape != this) continue;                 // constants and data: no gradient work at all
                    // Not a pattern variable: with the continue removed (a Stryker mutant) it would be unassigned, not null.
                    var raw = inputGrads[i];
                    if (raw is null) continue;
                    var gi = raw.Detach();
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

/// <summary>
/// One recorded entry of a <see cref="Tape{T}"/>: a leaf (no inputs) or an op, with the values it produced. The outputs
/// are the tracked tensors the forward pass returned, so <c>gradients[node.Value]</c> is the gradient arriving at it.
/// </summary>
public sealed record TapeNode<T>(int Id, string Op, IReadOnlyList<Tensor<T>> Outputs, IReadOnlyList<TapeInput> Inputs)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The (first) output's value.</summary>
    public Tensor<T> Value => Outputs[0];

    /// <summary>The (first) output's shape.</summary>
    public Shape Output => Value.Shape;
}

/// <summary>An input of a recorded op: the node that produced it (−1 for a constant), its shape, and which of that node's outputs it is.</summary>
public sealed record TapeInput(int Id, Shape Shape, int Output = 0);

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

    /// <summary>
    /// The gradient arriving at (the first output of) node <paramref name="id"/> of <see cref="Tape{T}.Nodes"/>, zeros of
    /// its shape if none arrived, for stepping through a backward pass. Other outputs: <c>this[node.Outputs[k]]</c>.
    /// </summary>
    public Tensor<T> OfNode(int id) => this[tape.NodeValue(id)];
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
