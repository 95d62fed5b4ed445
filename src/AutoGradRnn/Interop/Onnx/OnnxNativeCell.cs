using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// One of our cells as ONNX's own recurrent operator computes it: the op (<c>RNN</c>, <c>GRU</c>, <c>LSTM</c>), its weights in
/// ONNX's layout for one direction, and its attributes. ONNX keeps the input and recurrent weights apart, gate blocks
/// stacked in its own order: <c>W [gates·H, D]</c> acting on x_t, <c>R [gates·H, H]</c> acting on h_{t−1}, biases
/// <c>B = [Wb, Rb]</c> (<c>[2·gates·H]</c>) and, for LSTMs, the peepholes <c>P = [p_i, p_o, p_f]</c> (<c>[3·H]</c>).
/// Our cells keep one matrix per gate over <c>[h_{t−1}, x_t]</c> (rows for h_{t−1} first) and one bias, so the mapping is
/// a split and a transpose of each gate's matrix, its bias in <c>Wb</c> and zeros in <c>Rb</c>.
/// </summary>
internal sealed record OnnxNativeCell(string Op, int Hidden, int Input, float[] W, float[] R, float[] B, float[]? P, bool HasCellState,
    OnnxAttribute[] Attributes)
{
    /// <summary>
    /// The ONNX form of <paramref name="cell"/>, or an <see cref="OnnxExportException"/> naming it (<paramref name="where"/>
    /// says which layer) when ONNX has no operator computing it.
    /// </summary>
    public static OnnxNativeCell Of<TState, T>(IRecurrentCell<TState, T> cell, string where) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = cell.OutputSize, d = cell.InputSize;
        var b = new Blocks<T>(h, d);
        switch (cell)
        {
            case Rnn<T> rnn:
                // h_t = tanh(W·[h_{t-1}, x_t] + b): ONNX's RNN with its default tanh.
                b.Gate(rnn.W, rnn.B);
                return b.Build("RNN", hasCell: false);
            case Lstm<T> lstm:
                // ONNX's gate order is i, o, f, c.
                b.Gate(lstm.Wi, lstm.Bi).Gate(lstm.Wo, lstm.Bo).Gate(lstm.Wf, lstm.Bf).Gate(lstm.Wc, lstm.Bc);
                return b.Build("LSTM", hasCell: true);
            case PeepholeLstm<T> { Diagonal: true } p:
                // ONNX's P holds diagonal peepholes p_i, p_o, p_f: p_i ⊙ C_{t-1}, p_f ⊙ C_{t-1}, p_o ⊙ C_t, as ours.
                b.Gate(p.Wi, p.Bi).Gate(p.Wo, p.Bo).Gate(p.Wf, p.Bf).Gate(p.Wc, p.Bc);
                return b.Build("LSTM", hasCell: true) with { P = [.. Floats(p.Pi), .. Floats(p.Po), .. Floats(p.Pf)] };
            case PeepholeLstm<T>:
                throw new OnnxExportException($"onnx export: {where} is a peephole LSTM with full [H, H] peepholes, but ONNX's LSTM has only diagonal ones; use the traced export, or PeepholeLstm.Create(..., diagonal: true)");
            case Gru<T> gru:
                // ONNX's z weights the old state, (1 − z)·h̃ + z·h_{t-1}; the essay's weights the candidate. σ(−a) = 1 − σ(a), so
                // ONNX's z gate is ours with W_z and b_z negated. The candidate W·[r ⊙ h_{t-1}, x_t] is linear_before_reset = 0.
                b.Gate(gru.Wz, gru.Bz, negate: true).Gate(gru.Wr, gru.Br).Gate(gru.W, gru.B);
                return b.Build("GRU", hasCell: false, OnnxAttribute.Int("linear_before_reset", 0));
            case GruResetAfter<T> g:
                // PyTorch's form is ONNX's linear_before_reset = 1: n_t = tanh(W_nx·x_t + b_nx + r_t ⊙ (W_nh·h_{t-1} + b_nh)).
                b.Gate(g.Wz, g.Bz).Gate(g.Wr, g.Br).Split(g.Wnx, g.Bnx, g.Wnh, g.Bnh);
                return b.Build("GRU", hasCell: false, OnnxAttribute.Int("linear_before_reset", 1));
            default:
                throw new OnnxExportException($"onnx export: {where} is a {Sequence.CellName(cell)}, which ONNX has no operator for; export it with OnnxTracedExport (a graph of primitive ops for a fixed batch and length)");
        }
    }

    private static float[] Floats<T>(Tensor<T> t) where T : unmanaged, IFloatingPointIeee754<T> =>
        [.. t.AsSpan().ToArray().Select(float.CreateTruncating)];

    /// <summary>Collects gate blocks in ONNX's order.</summary>
    private sealed class Blocks<T>(int hidden, int input) where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly List<float> w = [], r = [], wb = [], rb = [];
        private int gates;

        /// <summary>A gate over [h_{t-1}, x_t]: W_g is [H + D, H], rows for h_{t-1} first; its bias goes to Wb, zeros to Rb.</summary>
        public Blocks<T> Gate(Tensor<T> weight, Tensor<T> bias, bool negate = false)
        {
            float s = negate ? -1 : 1;
            var m = weight.AsSpan();
            for (int j = 0; j < hidden; j++)                 // ONNX row j of the block: output unit j
                for (int k = 0; k < input; k++) w.Add(s * float.CreateTruncating(m[(hidden + k) * hidden + j]));
            for (int j = 0; j < hidden; j++)
                for (int k = 0; k < hidden; k++) r.Add(s * float.CreateTruncating(m[k * hidden + j]));
            foreach (var v in bias.AsSpan()) wb.Add(s * float.CreateTruncating(v));
            rb.AddRange(new float[hidden]);
            gates++;
            return this;
        }

        /// <summary>A gate with separate input and recurrent matrices (<c>[D, H]</c> and <c>[H, H]</c>) and biases.</summary>
        public Blocks<T> Split(Tensor<T> wx, Tensor<T> bx, Tensor<T> wh, Tensor<T> bh)
        {
            ReadOnlySpan<T> mx = wx.AsSpan(), mh = wh.AsSpan();
            for (int j = 0; j < hidden; j++)
                for (int k = 0; k < input; k++) w.Add(float.CreateTruncating(mx[k * hidden + j]));
            for (int j = 0; j < hidden; j++)
                for (int k = 0; k < hidden; k++) r.Add(float.CreateTruncating(mh[k * hidden + j]));
            wb.AddRange(Floats(bx));
            rb.AddRange(Floats(bh));
            gates++;
            return this;
        }

        public OnnxNativeCell Build(string op, bool hasCell, params OnnxAttribute[] attributes) =>
            new(op, hidden, input, [.. w], [.. r], [.. wb, .. rb], null, hasCell, attributes);
    }
}
