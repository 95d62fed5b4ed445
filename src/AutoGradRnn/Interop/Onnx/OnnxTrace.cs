using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Converts a function recorded on a <see cref="Tape{T}"/> into ONNX nodes, one rule per op (<see cref="OnnxOpTable{T}"/>),
/// as torch.onnx's tracer does: the tracked leaves the caller binds become graph inputs, the other tracked leaves (the
/// parameters) named initializers, and every untracked constant an op read (a zero state, a mask of ones) an initializer
/// too. Only the entries the requested outputs depend on are converted. The graph is the recorded one: fixed shapes,
/// every loop unrolled, every branch the recording took.
/// </summary>
internal sealed class OnnxTrace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tape<T> tape;
    private readonly Dictionary<int, string> bySlot = [];
    private readonly Dictionary<int, string> parameterNames = [];
    private readonly Dictionary<Tensor<T>, string> constants = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<T[], (Shape Shape, string Name)> boundData = new(ReferenceEqualityComparer.Instance);

    /// <param name="graph">The graph the nodes go into (inputs already declared by the caller).</param>
    /// <param name="tape">The recording.</param>
    /// <param name="subject">What was traced, for error messages (e.g. the cell's name).</param>
    public OnnxTrace(OnnxGraph graph, Tape<T> tape, string subject) => (Graph, this.tape, Subject) = (graph, tape, subject);

    public OnnxGraph Graph { get; }

    public string Subject { get; }

    /// <summary>
    /// Where a gather reads its indices from: given the op and its recorded indices, the name of an int64 ONNX value of
    /// the same count (e.g. a graph input of symbols), or null to write the recorded indices as a constant.
    /// </summary>
    public Func<RecordedOp<T>, int[], string?>? GatherIndices { get; init; }

    /// <summary>
    /// The tracked leaf <paramref name="leaf"/> reads the ONNX value <paramref name="name"/> (a graph input). So does a
    /// detached copy of it (the same buffer and shape) that an op keeps as a constant attribute, e.g. the attention mask
    /// <see cref="AdditiveAttention{T}.Remember"/> detaches.
    /// </summary>
    public void Bind(Tensor<T> leaf, string name)
    {
        if (leaf.Tape != tape) throw new InvalidOperationException($"onnx trace: a bound leaf {leaf.Shape} is not tracked on the traced tape");
        bySlot[leaf.Id] = name;
        boundData[leaf.Data] = (leaf.Shape, name);
    }

    /// <summary>The tracked leaf <paramref name="leaf"/> is the parameter <paramref name="name"/>: an initializer of that name.</summary>
    public void Parameter(Tensor<T> leaf, string name)
    {
        if (leaf.Tape == tape) parameterNames[leaf.Id] = name;
    }

    /// <summary>Converts every entry <paramref name="outputs"/> depend on, in recording order.</summary>
    /// <exception cref="OnnxExportException">An entry's op has no ONNX rule (a custom op, a fused kernel).</exception>
    public void Convert(IEnumerable<Tensor<T>> outputs)
    {
        var ops = tape.Recorded;
        var needed = new HashSet<int>(outputs.Where(o => o.Tape == tape).Select(o => o.Id));
        var keep = new bool[ops.Count];
        for (int n = ops.Count - 1; n >= 0; n--)
        {
            if (!ops[n].Outputs.Any(o => needed.Contains(o.Id))) continue;
            keep[n] = true;
            foreach (var i in ops[n].Inputs) if (i.Tape == tape) needed.Add(i.Id);
        }
        for (int n = 0; n < ops.Count; n++)
        {
            if (!keep[n]) continue;
            var op = ops[n];
            current = n;
            if (op.Op == "leaf")
            {
                var leaf = op.Outputs[0];
                if (!bySlot.ContainsKey(leaf.Id))
                    bySlot[leaf.Id] = Graph.Constant(parameterNames.TryGetValue(leaf.Id, out var p) ? p : "leaf", leaf.Detach());
                continue;
            }
            if (!OnnxOpTable<T>.Rules.TryGetValue(op.Op, out var rule))
                throw new OnnxExportException(
                    $"{Subject}: the op '{op.Op}' has no ONNX rule; a traced export converts only the library's primitive ops (a custom op or a fused kernel cannot be traced: unroll the cell's own equations)");
            var results = rule(this, op, [.. op.Inputs.Select(ValueOf)]);
            if (results.Length != op.Outputs.Length) throw new InvalidOperationException($"onnx trace: the rule of '{op.Op}' gave {results.Length} values for {op.Outputs.Length} outputs");
            for (int k = 0; k < results.Length; k++) bySlot[op.Outputs[k].Id] = results[k];
        }
    }

    private int current;

    /// <summary>
    /// An ONNX node converting the current tape entry: its output is named after the entry (<c>t57.Sigmoid</c> for entry 57
    /// of the tape), so each name is fresh at once and a graph value can be traced back to the recorded op.
    /// </summary>
    public string Op(string onnxOp, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Graph.Named($"t{current}.{onnxOp}", onnxOp, inputs, attributes);

    /// <summary>The ONNX value holding <paramref name="value"/>: its converted node's output, or a constant initializer for an untracked tensor.</summary>
    public string ValueOf(Tensor<T> value)
    {
        if (value.Tape == tape)
            return bySlot.TryGetValue(value.Id, out var name) ? name
                : throw new InvalidOperationException($"onnx trace: the value {value.Shape} (slot {value.Id}) was not converted before its use");
        if (value.Tape is not null) throw new OnnxExportException($"{Subject}: a value {value.Shape} is tracked on another tape; trace the function on one tape");
        if (boundData.TryGetValue(value.Data, out var bound) && bound.Shape == value.Shape) return bound.Name;
        if (!constants.TryGetValue(value, out var c)) constants[value] = c = Graph.Constant($"const{constants.Count}", value);
        return c;
    }

    private readonly Dictionary<int, string> scalars = [];   // by bit pattern, so −0 and 0 stay apart
    private readonly Dictionary<string, string> vectors = [];

    /// <summary>A float32 scalar constant (one initializer per value, shared by every op that uses it).</summary>
    public string Scalar(double value)
    {
        float v = (float)value;
        int bits = BitConverter.SingleToInt32Bits(v);
        if (!scalars.TryGetValue(bits, out var name)) scalars[bits] = name = Graph.Constant<float>($"scalar{scalars.Count}", [v]);
        return name;
    }

    /// <summary>A constant int64 vector (shapes, axes, ranges; one initializer per distinct vector).</summary>
    public string Int64s(string hint, params long[] values)
    {
        string key = string.Join(",", values);
        if (!vectors.TryGetValue(key, out var name)) vectors[key] = name = Graph.Int64s($"{hint}{vectors.Count}", values);
        return name;
    }
}
