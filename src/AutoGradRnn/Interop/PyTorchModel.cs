using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// Thrown when a model does not have PyTorch's layout, or a state_dict does not fit the module it is loaded as: a missing,
/// unexpected or misshapen tensor, a cell with no PyTorch counterpart, or a composition PyTorch computes differently.
/// The message is one line naming the tensor, layer or type, e.g.
/// <c>pytorch state_dict: missing 'rnn.weight_ih_l1_reverse' (nn.LSTM, 2 layers, bidirectional)</c>.
/// </summary>
public sealed class PyTorchLayoutException : ArgumentException
{
    internal PyTorchLayoutException(string detail) : base($"pytorch state_dict: {detail}") { }
}

/// <summary>
/// Whole-model exchange with PyTorch: a <see cref="RecurrentLayers{TState, T}"/> of <see cref="Lstm{T}"/>,
/// <see cref="GruResetAfter{T}"/> or <see cref="Rnn{T}"/> cells is exactly <c>nn.LSTM</c>, <c>nn.GRU</c> or <c>nn.RNN</c>
/// (tanh) with <c>num_layers</c> and <c>bidirectional</c>, and its head is an <c>nn.Linear</c>. The state_dict names are
/// PyTorch's: <c>{prefix}weight_ih_l{k}[_reverse]</c>, <c>weight_hh_…</c>, <c>bias_ih_…</c>, <c>bias_hh_…</c> (layer k &gt; 0's
/// <c>weight_ih</c> is <c>[G·H, directions·H]</c>), then <c>{headPrefix}weight</c> <c>[out, in]</c> and <c>{headPrefix}bias</c>.
/// For a PyTorch model <c>self.rnn = nn.LSTM(…); self.head = nn.Linear(…)</c> the prefixes are <c>"rnn."</c> and <c>"head."</c>;
/// for a bare <c>nn.LSTM</c> the prefix is <c>""</c>. Loading is strict, like <c>load_state_dict(strict=True)</c>: every tensor
/// the module has must be there with its shape, and nothing else. Each cell goes through <see cref="PyTorchWeights"/>, so the
/// biases are merged on import and exported as <c>bias_ih</c> with zero <c>bias_hh</c> (GRU's candidate biases stay apart):
/// the same function, not the same bytes.
/// </summary>
public static class PyTorchModel
{
    /// <summary><c>nn.LSTM(D, H, num_layers, bidirectional)</c> (and an <c>nn.Linear</c> head when <paramref name="head"/>) from a state_dict.</summary>
    public static RecurrentLayers<LstmState<T>, T> LstmFromStateDict<T>(IReadOnlyList<NamedTensor<T>> stateDict, int numLayers, bool bidirectional,
        bool head = false, string prefix = "", string headPrefix = "head.") where T : unmanaged, IFloatingPointIeee754<T> =>
        Load<LstmState<T>, T>(stateDict, "nn.LSTM", 4, w => PyTorchWeights.ToLstm(w), numLayers, bidirectional, head, prefix, headPrefix);

    /// <summary><c>nn.GRU(D, H, num_layers, bidirectional)</c> as <see cref="GruResetAfter{T}"/> cells (and an optional head) from a state_dict.</summary>
    public static RecurrentLayers<RnnState<T>, T> GruFromStateDict<T>(IReadOnlyList<NamedTensor<T>> stateDict, int numLayers, bool bidirectional,
        bool head = false, string prefix = "", string headPrefix = "head.") where T : unmanaged, IFloatingPointIeee754<T> =>
        Load<RnnState<T>, T>(stateDict, "nn.GRU", 3, w => PyTorchWeights.ToGru(w), numLayers, bidirectional, head, prefix, headPrefix);

    /// <summary><c>nn.RNN(D, H, num_layers, nonlinearity='tanh', bidirectional)</c> (and an optional head) from a state_dict.</summary>
    public static RecurrentLayers<RnnState<T>, T> RnnFromStateDict<T>(IReadOnlyList<NamedTensor<T>> stateDict, int numLayers, bool bidirectional,
        bool head = false, string prefix = "", string headPrefix = "head.") where T : unmanaged, IFloatingPointIeee754<T> =>
        Load<RnnState<T>, T>(stateDict, "nn.RNN", 1, w => PyTorchWeights.ToRnn(w), numLayers, bidirectional, head, prefix, headPrefix);

    /// <summary>
    /// The state_dict of <paramref name="model"/>, in PyTorch's names and order (layer by layer, forward before reverse, then
    /// the head). Throws <see cref="PyTorchLayoutException"/> when a cell is not <see cref="Lstm{T}"/>, <see cref="GruResetAfter{T}"/>
    /// or <see cref="Rnn{T}"/>, when the cells are of more than one kind, or when their hidden sizes differ.
    /// </summary>
    public static IReadOnlyList<NamedTensor<T>> ToStateDict<TState, T>(RecurrentLayers<TState, T> model, string prefix = "", string headPrefix = "head.")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = Enumerable.Range(0, model.NumLayers)
            .Select(l => model.Bidirectional ? new object[] { model.Forward[l], model.Backward![l] } : [model.Forward[l]]).ToArray();
        return Export(layers, model.Head, prefix, headPrefix);
    }

    /// <summary>
    /// The state_dict of a unidirectional module: one cell is <c>num_layers=1</c>, a <see cref="Stacked{TState, T}"/> of cells is
    /// <c>num_layers</c> = its layer count (a stack is exactly PyTorch's unidirectional multi-layer module); plus an optional head.
    /// </summary>
    public static IReadOnlyList<NamedTensor<T>> ToStateDict<TState, T>(IRecurrentCell<TState, T> cell, Linear<T>? head = null, string prefix = "", string headPrefix = "head.")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        return Export([.. LayersOf(cell).Select(c => new[] { c })], head, prefix, headPrefix);
    }

    /// <summary>
    /// The state_dict of a one-layer bidirectional module (<c>num_layers=1, bidirectional=True</c>) and an optional head.
    /// <c>Bidirectional(Stacked, Stacked)</c> of two or more layers is refused with <see cref="PyTorchLayoutException"/>: there
    /// each direction runs through its own layers, while PyTorch's layer l+1 reads both directions of layer l. Build that
    /// model as <see cref="RecurrentLayers{TState, T}"/> instead.
    /// </summary>
    public static IReadOnlyList<NamedTensor<T>> ToStateDict<TState, T>(Bidirectional<TState, T> net, Linear<T>? head = null, string prefix = "", string headPrefix = "head.")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(net.Forward, nameof(net.Forward));
        ArgumentNullException.ThrowIfNull(net.Backward, nameof(net.Backward));
        var (forward, backward) = (LayersOf(net.Forward), LayersOf(net.Backward));
        if (forward.Length > 1 || backward.Length > 1)
            throw new PyTorchLayoutException(
                $"Bidirectional(Stacked, Stacked) with {forward.Length} forward and {backward.Length} backward layers is not PyTorch's bidirectional " +
                "multi-layer module, whose layer l+1 reads both directions of layer l; build it as RecurrentLayers (Stacked-of-Bidirectional)");
        return Export([[forward[0], backward[0]]], head, prefix, headPrefix);
    }

    /// <summary>A stack's layers, or the cell itself (a stack's TState is its layers' state array, so it is found by its generic definition).</summary>
    private static object[] LayersOf(object cell) =>
        cell.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(Stacked<,>)
            ? [.. ((Array)t.GetProperty(nameof(Stacked<int[], float>.Layers))!.GetValue(cell)!).Cast<object>().SelectMany(LayersOf)]
            : [cell];

    private static string Kind<T>(object cell) where T : unmanaged, IFloatingPointIeee754<T> => cell switch
    {
        Lstm<T> => "nn.LSTM",
        GruResetAfter<T> => "nn.GRU",
        Rnn<T> => "nn.RNN",
        Gru<T> => throw new PyTorchLayoutException("Gru is the essay's GRU (the reset gate scales h before the recurrent matmul); PyTorch's nn.GRU is GruResetAfter"),
        ProjectionLstm<T> => throw new PyTorchLayoutException("ProjectionLstm (nn.LSTM with proj_size) is exchanged per layer by PyTorchWeights.FromProjectionLstm, not as a whole model"),
        null => throw new PyTorchLayoutException("a cell is null"),
        _ => throw new PyTorchLayoutException($"{TypeNames.Of(cell.GetType())} has no counterpart in PyTorch's nn.RNN, nn.LSTM or nn.GRU (those are Rnn, Lstm and GruResetAfter)"),
    };

    private static PyTorchRnnWeights<T> Weights<T>(object cell) where T : unmanaged, IFloatingPointIeee754<T> => cell switch
    {
        Lstm<T> c => PyTorchWeights.FromLstm(c),
        GruResetAfter<T> c => PyTorchWeights.FromGru(c),
        Rnn<T> c => PyTorchWeights.FromRnn(c),
        _ => throw new InvalidOperationException("unreachable: Kind accepted the cell"),
    };

    private static string Where(int layer, int direction) => $"layer {layer} {(direction == 0 ? "forward" : "backward")}";

    /// <summary>Cells <c>[layer][direction]</c> and a head → PyTorch's state_dict, after checking they form one PyTorch module.</summary>
    private static IReadOnlyList<NamedTensor<T>> Export<T>(object[][] layers, Linear<T>? head, string prefix, string headPrefix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(headPrefix);
        var first = layers[0][0];
        var kind = Kind<T>(first);
        int hidden = Weights<T>(first).WeightHh.Shape[1];
        var dict = new List<NamedTensor<T>>();
        for (int l = 0; l < layers.Length; l++)
            for (int d = 0; d < layers[l].Length; d++)
            {
                var cell = layers[l][d];
                if (Kind<T>(cell) != kind || cell.GetType() != first.GetType())
                    throw new PyTorchLayoutException($"{Where(l, d)} is {TypeNames.Of(cell.GetType())} but layer 0 forward is {TypeNames.Of(first.GetType())}: a PyTorch module has one cell kind");
                var w = Weights<T>(cell);
                if (w.WeightHh.Shape[1] != hidden)
                    throw new PyTorchLayoutException($"{Where(l, d)} has hidden size {w.WeightHh.Shape[1]} but layer 0 forward has {hidden}: a PyTorch module has one hidden_size");
                dict.AddRange(w.ToStateDict(l, reverse: d == 1).Select(t => t with { Name = prefix + t.Name }));
            }
        if (head is not null)
        {
            CellChecks.Parameters<T>("Linear", head);
            dict.Add(new(headPrefix + "weight", Transpose(head.W)));   // nn.Linear keeps [out, in]
            dict.Add(new(headPrefix + "bias", head.B));
        }
        return dict;
    }

    private static RecurrentLayers<TState, T> Load<TState, T>(IReadOnlyList<NamedTensor<T>> stateDict, string module, int gates,
        Func<PyTorchRnnWeights<T>, IRecurrentCell<TState, T>> convert, int numLayers, bool bidirectional, bool head, string prefix, string headPrefix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(headPrefix);
        CellChecks.Count(module, "layers", numLayers, nameof(numLayers));
        var byName = new Dictionary<string, Tensor<T>>();
        foreach (var t in stateDict)
            if (!byName.TryAdd(t.Name, t.Value)) throw new PyTorchLayoutException($"'{t.Name}' appears twice");
        int directions = bidirectional ? 2 : 1;
        string described = $"{module}, {numLayers} layer{(numLayers == 1 ? "" : "s")}{(bidirectional ? ", bidirectional" : "")}{(head ? $", head '{headPrefix}'" : "")}";
        var used = new HashSet<string>();
        Tensor<T> Get(string name, Func<Shape, string?> misfit)
        {
            if (!byName.TryGetValue(name, out var t)) throw new PyTorchLayoutException($"missing '{name}' ({described})");
            if (misfit(t.Shape) is { } expected) throw new PyTorchLayoutException($"'{name}' is {t.Shape}, expected {expected} ({described})");
            used.Add(name);
            return t;
        }

        // weight_hh_l0 fixes H; every other shape follows from it, D and the layer.
        var hh0 = Get($"{prefix}weight_hh_l0", s => s.Rank == 2 && s[0] == gates * s[1] ? null : $"[{gates}·H,H]");
        int h = hh0.Shape[1];
        var forward = new IRecurrentCell<TState, T>[numLayers];
        var backward = bidirectional ? new IRecurrentCell<TState, T>[numLayers] : null;
        int inputSize = -1;
        for (int l = 0; l < numLayers; l++)
            for (int d = 0; d < directions; d++)
            {
                string suffix = $"_l{l}" + (d == 1 ? "_reverse" : "");
                int g = gates * h;
                var ih = Get($"{prefix}weight_ih{suffix}", s =>
                    s.Rank == 2 && s[0] == g && (l > 0 ? s[1] == directions * h : inputSize < 0 || s[1] == inputSize)
                        ? null : $"[{g},{(l > 0 ? directions * h : inputSize < 0 ? "D" : inputSize)}]");
                if (l == 0) inputSize = ih.Shape[1];
                var hh = Get($"{prefix}weight_hh{suffix}", s => s == new Shape(g, h) ? null : $"[{g},{h}]");
                var bih = Get($"{prefix}bias_ih{suffix}", s => s == new Shape(g) ? null : $"[{g}]");
                var bhh = Get($"{prefix}bias_hh{suffix}", s => s == new Shape(g) ? null : $"[{g}]");
                var cell = convert(new PyTorchRnnWeights<T>(ih, hh, bih, bhh));
                if (d == 0) forward[l] = cell; else backward![l] = cell;
            }
        Linear<T>? linear = null;
        if (head)
        {
            var weight = Get(headPrefix + "weight", s => s.Rank == 2 && s[1] == directions * h ? null : $"[out,{directions * h}]");
            var bias = Get(headPrefix + "bias", s => s == new Shape(weight.Shape[0]) ? null : $"[{weight.Shape[0]}]");
            linear = new Linear<T>(Transpose(weight), bias);
        }
        var unexpected = stateDict.Select(t => t.Name).Where(n => !used.Contains(n)).ToList();
        if (unexpected.Count > 0)
            throw new PyTorchLayoutException($"unexpected {string.Join(", ", unexpected.Take(4).Select(n => $"'{n}'"))}{(unexpected.Count > 4 ? $" and {unexpected.Count - 4} more" : "")} ({described})");
        return RecurrentLayers<TState, T>.Of(forward, backward, linear);
    }
}
