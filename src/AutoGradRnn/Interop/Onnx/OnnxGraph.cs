using System.Numerics;

namespace AutoGradRnn;

/// <summary>ONNX element types (<c>TensorProto.DataType</c>) the exporter writes.</summary>
internal enum OnnxType { Float = 1, Int32 = 6, Int64 = 7, Bool = 9 }

/// <summary>One attribute of an ONNX node (<c>AttributeProto</c>); build it with the factories.</summary>
internal sealed class OnnxAttribute
{
    private readonly Action<ProtoWriter> write;
    private OnnxAttribute(string name, Action<ProtoWriter> write) => (Name, this.write) = (name, write);

    public string Name { get; }

    // AttributeProto: name = 1, f = 2, i = 3, s = 4, g = 6, floats = 7, ints = 8, type = 20.
    public static OnnxAttribute Int(string name, long value) => new(name, w => w.Int(3, value).Int(20, 2));
    public static OnnxAttribute Float(string name, float value) => new(name, w => w.Float(2, value).Int(20, 1));
    public static OnnxAttribute String(string name, string value) => new(name, w => w.String(4, value).Int(20, 3));
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, w => w.PackedInts(8, values).Int(20, 7));
    public static OnnxAttribute Floats(string name, params float[] values) => new(name, w => w.PackedFloats(7, values).Int(20, 6));
    public static OnnxAttribute Strings(string name, params string[] values) => new(name, w =>
    {
        foreach (var v in values) w.String(9, v);
        w.Int(20, 8);
    });
    public static OnnxAttribute Graph(string name, OnnxGraph graph) => new(name, w => w.Message(6, graph.ToProto()).Int(20, 5));

    internal ProtoWriter ToProto()
    {
        var w = new ProtoWriter().String(1, Name);
        write(w);
        return w;
    }
}

/// <summary>
/// A graph under construction (<c>GraphProto</c>): inputs, outputs, initializers (the weights) and nodes in topological
/// order. Names are unique within the graph: <see cref="Fresh"/> makes them from a hint. A dimension is an
/// <see cref="int"/> (fixed) or a <see cref="string"/> (symbolic, e.g. "batch").
/// </summary>
internal sealed class OnnxGraph(string name)
{
    private readonly List<ProtoWriter> nodes = [], initializers = [], inputs = [], outputs = [];
    private readonly HashSet<string> names = [];

    public string Name { get; } = name;

    /// <summary>Number of nodes so far.</summary>
    public int NodeCount => nodes.Count;

    /// <summary>A name not used yet in this graph, <paramref name="hint"/> itself if free.</summary>
    public string Fresh(string hint)
    {
        string n = hint;
        for (int k = 1; !names.Add(n); k++) n = $"{hint}_{k}";
        return n;
    }

    // ValueInfoProto: name = 1, type = 2; TypeProto.tensor_type = 1; Tensor: elem_type = 1, shape = 2; dim: value = 1, param = 2.
    private static ProtoWriter ValueInfo(string name, OnnxType type, object[]? dims)
    {
        var tensor = new ProtoWriter().Int(1, (int)type);
        if (dims is not null)
        {
            var shape = new ProtoWriter();
            foreach (var d in dims)
                shape.Message(1, d switch
                {
                    int v => new ProtoWriter().Int(1, v),
                    long v => new ProtoWriter().Int(1, v),
                    string p => new ProtoWriter().String(2, p),
                    _ => throw new ArgumentException($"onnx: a dimension is an int or a string, not {d?.GetType().Name ?? "null"}")
                });
            tensor.Message(2, shape);
        }
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensor));
    }

    /// <summary>Declares a graph input and returns its name (which must be free).</summary>
    public string Input(string name, OnnxType type, params object[] dims)
    {
        if (!names.Add(name)) throw new InvalidOperationException($"onnx: the name '{name}' is already used in graph '{Name}'");
        inputs.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares a graph output named <paramref name="name"/>: the value <paramref name="value"/>, through an Identity when the names differ.</summary>
    public void Output(string name, string value, OnnxType type, params object[]? dims)
    {
        if (value != name)
        {
            if (!names.Add(name)) throw new InvalidOperationException($"onnx: the name '{name}' is already used in graph '{Name}'");
            AddNode("Identity", [value], [name], []);
        }
        outputs.Add(ValueInfo(name, type, dims));
    }

    // TensorProto: dims = 1, data_type = 2, int64_data = 7, name = 8, raw_data = 9 (little-endian).
    private string AddInitializer(string hint, OnnxType type, long[] dims, byte[] raw)
    {
        string n = Fresh(hint);
        initializers.Add(new ProtoWriter().PackedInts(1, dims).Int(2, (int)type).String(8, n).Bytes(9, raw));
        return n;
    }

    /// <summary>A constant float tensor (weights are written as float32 whatever T the model computes in).</summary>
    public string Constant<T>(string hint, ReadOnlySpan<T> values, params long[] dims) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), float.CreateTruncating(values[i]));
        return AddInitializer(hint, OnnxType.Float, dims, raw);
    }

    /// <summary>A constant tensor of a model's float weights, in its own shape.</summary>
    public string Constant<T>(string hint, Tensor<T> value) where T : unmanaged, IFloatingPointIeee754<T> =>
        Constant(hint, value.Data.AsSpan(), [.. value.Shape.Select(d => (long)d)]);

    /// <summary>A constant int64 tensor (shapes, axes, indices).</summary>
    public string Int64s(string hint, long[] values, params long[] dims)
    {
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), values[i]);
        return AddInitializer(hint, OnnxType.Int64, dims.Length == 0 && values.Length != 1 ? [values.Length] : dims, raw);
    }

    /// <summary>A constant 1-D int64 vector.</summary>
    public string Int64s(string hint, params long[] values) => Int64s(hint, values, [values.Length]);

    /// <summary>A constant int32 tensor.</summary>
    public string Int32s(string hint, int[] values, params long[] dims)
    {
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(4 * i), values[i]);
        return AddInitializer(hint, OnnxType.Int32, dims, raw);
    }

    // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    private void AddNode(string op, IReadOnlyList<string> ins, IReadOnlyList<string> outs, OnnxAttribute[] attributes)
    {
        var node = new ProtoWriter();
        foreach (var i in ins) node.String(1, i);
        foreach (var o in outs) node.String(2, o);
        node.String(3, $"{op}_{nodes.Count}").String(4, op);
        foreach (var a in attributes) node.Message(5, a.ToProto());
        nodes.Add(node);
    }

    /// <summary>
    /// Adds a node with <paramref name="outputCount"/> fresh outputs named from <paramref name="hint"/> and returns them.
    /// An input "" is an omitted optional input, as ONNX spells it.
    /// </summary>
    public string[] Node(string op, IReadOnlyList<string> ins, int outputCount, string hint, params OnnxAttribute[] attributes)
    {
        var outs = Enumerable.Range(0, outputCount).Select(k => Fresh(outputCount == 1 ? hint : $"{hint}_{k}")).ToArray();
        AddNode(op, ins, outs, attributes);
        return outs;
    }

    /// <summary>A one-output node.</summary>
    public string Op(string op, IReadOnlyList<string> ins, params OnnxAttribute[] attributes) =>
        Node(op, ins, 1, op.ToLowerInvariant(), attributes)[0];

    /// <summary>A one-output node whose output name starts with <paramref name="hint"/>.</summary>
    public string Named(string hint, string op, IReadOnlyList<string> ins, params OnnxAttribute[] attributes) =>
        Node(op, ins, 1, hint, attributes)[0];

    // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
    public ProtoWriter ToProto()
    {
        var g = new ProtoWriter();
        foreach (var n in nodes) g.Message(1, n);
        g.String(2, Name);
        foreach (var i in initializers) g.Message(5, i);
        foreach (var i in inputs) g.Message(11, i);
        foreach (var o in outputs) g.Message(12, o);
        return g;
    }
}

/// <summary>Writes a <c>ModelProto</c>: the graph, the opset it uses and string metadata.</summary>
internal static class OnnxModel
{
    /// <summary>ONNX opset 17 (LayerNormalization, the RNN ops' current forms); IR version 8 is the one that goes with it.</summary>
    public const int Opset = 17, IrVersion = 8;

    // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7, opset_import = 8, metadata_props = 14.
    public static byte[] Write(OnnxGraph graph, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var model = new ProtoWriter()
            .Int(1, IrVersion)
            .String(2, "AutoGradRnn")
            .String(3, typeof(OnnxModel).Assembly.GetName().Version?.ToString(3) ?? "0")
            .Message(7, graph.ToProto())
            .Message(8, new ProtoWriter().String(1, "").Int(2, Opset));
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
            model.Message(14, new ProtoWriter().String(1, k).String(2, v));
        return model.ToArray();
    }
}
