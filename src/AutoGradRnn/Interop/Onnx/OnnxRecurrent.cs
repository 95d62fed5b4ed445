using System.Numerics;

namespace AutoGradRnn;

/// <summary>What <see cref="OnnxRecurrent.AddLayers{TState, T}"/> adds: the top layer's outputs (time-major, no head) and the final states.</summary>
/// <param name="Outputs"><c>[time, batch, directions·H]</c>, forward features first.</param>
/// <param name="FinalH"><c>[layers·directions, batch, H]</c>, in PyTorch's order.</param>
/// <param name="FinalC">The same for the cell state of LSTMs; null for cells without one.</param>
internal sealed record OnnxLayers(string Outputs, string FinalH, string? FinalC);

/// <summary>
/// The building blocks every exported model shares: recurrent layers as ONNX's own <c>RNN</c>/<c>GRU</c>/<c>LSTM</c> nodes,
/// and dense layers. Each layer and direction is one node (a backward direction is ONNX's <c>direction = "reverse"</c>,
/// which, like ours, starts at each sequence's own last real step).
/// </summary>
internal static class OnnxRecurrent
{
    /// <summary>
    /// Adds every layer of <paramref name="network"/> reading the time-major <paramref name="input"/> <c>[time, batch, D]</c>.
    /// <paramref name="sequenceLens"/> (int32 <c>[batch]</c>), <paramref name="h0"/> and <paramref name="c0"/>
    /// (<c>[layers·directions, batch, H]</c>) are value names or null for none (zeros).
    /// </summary>
    public static OnnxLayers AddLayers<TState, T>(OnnxGraph g, RecurrentLayers<TState, T> network, string input, string? sequenceLens, string? h0, string? c0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        int dirs = network.Directions;
        var cells = Enumerable.Range(0, network.NumLayers * dirs)
            .Select(i => (i / dirs, i % dirs, Cell: (i % dirs == 0 ? network.Forward : network.Backward!)[i / dirs]))
            .Select(c => OnnxNativeCell.Of(c.Cell, $"layer {c.Item1} {(c.Item2 == 0 ? "forward" : "backward")}"))
            .ToArray();
        int hidden = cells[0].Hidden;
        for (int i = 1; i < cells.Length; i++)
            if (cells[i].Hidden != hidden)
                throw new OnnxExportException($"onnx export: layer {i / dirs} {(i % dirs == 0 ? "forward" : "backward")} has {cells[i].Hidden} hidden units but layer 0 has {hidden}; the exported h0/hn stack one state per layer and direction, as PyTorch's do, so every layer needs the same hidden size");
        bool hasCell = cells[0].HasCellState;
        var finalH = new List<string>();
        var finalC = new List<string>();
        // ONNX Runtime returns a zero final state for an empty sequence; ours is the initial state, untouched. Only an
        // initial state given as input can differ from zero, so only then is the empty case chosen explicitly.
        string? empty = sequenceLens is not null && h0 is not null
            ? g.Named("empty_sequence", "Unsqueeze", [g.Op("Equal", [sequenceLens, g.Int32s("zero", [0], 1)]), g.Int64s("axes", 0, 2)])
            : null;
        string Final(string state, string initialRow) => empty is null ? state : g.Named("final", "Where", [empty, initialRow, state]);
        var x = input;
        for (int l = 0; l < network.NumLayers; l++)
        {
            var directions = new List<string>();
            for (int d = 0; d < dirs; d++)
            {
                int k = l * dirs + d;
                string initialH = StateRow(g, h0, k), initialC = hasCell ? StateRow(g, c0, k) : "";
                var (y, yh, yc) = AddCell(g, cells[k], x, sequenceLens, initialH, initialC,
                    d == 0 ? "forward" : "reverse", $"layer{l}{(d == 0 ? "" : "_reverse")}");
                directions.Add(g.Named($"layer{l}_{(d == 0 ? "forward" : "reverse")}_y", "Squeeze", [y, g.Int64s("axis1", 1)]));   // [T, 1, B, H] → [T, B, H]
                finalH.Add(Final(yh, initialH));
                if (yc is not null) finalC.Add(initialC.Length == 0 ? yc : Final(yc, initialC));
            }
            x = directions.Count == 1 ? directions[0] : g.Named($"layer{l}_y", "Concat", directions, OnnxAttribute.Int("axis", 2));
        }
        string Stack(List<string> states, string hint) =>
            states.Count == 1 ? states[0] : g.Named(hint, "Concat", states, OnnxAttribute.Int("axis", 0));
        return new OnnxLayers(x, Stack(finalH, "h_final"), hasCell ? Stack(finalC, "c_final") : null);
    }

    /// <summary>Row k of a stacked state <c>[layers·directions, batch, H]</c>, kept 3-D (<c>[1, batch, H]</c>, ONNX's initial_h); "" when absent.</summary>
    internal static string StateRow(OnnxGraph g, string? state, int k) =>
        state is null ? "" : g.Op("Slice", [state, g.Int64s("start", k), g.Int64s("end", k + 1), g.Int64s("axis0", 0)]);

    /// <summary>One ONNX recurrent node: (Y <c>[T, 1, B, H]</c>, Y_h <c>[1, B, H]</c>, Y_c or null).</summary>
    private static (string Y, string Yh, string? Yc) AddCell(OnnxGraph g, OnnxNativeCell cell, string x, string? sequenceLens,
        string initialH, string? initialC, string direction, string hint)
    {
        int gates = cell.B.Length / (2 * cell.Hidden);
        var inputs = new List<string>
        {
            x,
            g.Constant($"{hint}_W", cell.W.AsSpan(), 1, gates * cell.Hidden, cell.Input),
            g.Constant($"{hint}_R", cell.R.AsSpan(), 1, gates * cell.Hidden, cell.Hidden),
            g.Constant($"{hint}_B", cell.B.AsSpan(), 1, cell.B.Length),
            sequenceLens ?? "",
            initialH,
        };
        if (cell.HasCellState)
        {
            inputs.Add(initialC ?? "");
            inputs.Add(cell.P is null ? "" : g.Constant($"{hint}_P", cell.P.AsSpan(), 1, cell.P.Length));
        }
        while (inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);   // trailing optional inputs are left out
        var outs = g.Node(cell.Op, inputs, cell.HasCellState ? 3 : 2, hint,
            [OnnxAttribute.Int("hidden_size", cell.Hidden), OnnxAttribute.String("direction", direction), .. cell.Attributes]);
        return (outs[0], outs[1], cell.HasCellState ? outs[2] : null);
    }

    /// <summary>y = x·W + b over the last axis of <paramref name="x"/> (<c>[…, in]</c> → <c>[…, out]</c>), as <see cref="Linear{T}.Apply"/>.</summary>
    public static string AddLinear<T>(OnnxGraph g, Linear<T> linear, string x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(linear);
        return g.Named("linear", "Add", [g.Op("MatMul", [x, g.Constant("linear_W", linear.W)]), g.Constant("linear_b", linear.B)]);
    }
}
