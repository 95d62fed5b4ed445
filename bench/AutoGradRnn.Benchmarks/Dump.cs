using static AutoGradRnn.Ops;

namespace AutoGradRnn.Benchmarks;

/// <summary>
/// The reference data for bench/compare-onednn.sh's correctness check: one cell of <see cref="CellWorkload"/>
/// (same seeds, same inputs), its weights in PyTorch's layout, and our forward and backward results, as raw
/// little-endian float32 files in <c>dir</c>:
/// <list type="bullet">
/// <item><c>x</c> [B, T, D]; <c>w_ih</c> [G·H, D], <c>w_hh</c> [G·H, H], <c>b_ih</c> [G·H], <c>b_hh</c> [G·H] (PyTorch's gate order);</item>
/// <item><c>y</c> [B, T, H] the outputs, <c>h_t</c> [B, H] the final hidden state (forward only, no tape);</item>
/// <item>the gradients of the sum of all outputs: <c>dx</c> [B, T, D], <c>dw_ih</c>, <c>dw_hh</c>, <c>db_ih</c>, <c>db_hh</c> as PyTorch
/// would report them (the merged biases' gradient appears in both <c>db_ih</c> and <c>db_hh</c>).</item>
/// </list>
/// </summary>
public static class Dump
{
    public static void Write(string cell, RnnShape s, string dir, long seed = 1)
    {
        Directory.CreateDirectory(dir);
        // Exactly CellWorkload's construction.
        var x = Tensor.RandomNormal<float>(new Shape(s.B, s.T, s.D), seed);
        switch (cell)
        {
            case "lstm":
                Run(Lstm<float>.Create(s.D, s.H, seed + 1, CellInit.PyTorch), x, PyTorchWeights.FromLstm, (LstmState<float> st) => st.H, false, dir);
                break;
            case "gru":
                Run(GruResetAfter<float>.Create(s.D, s.H, seed + 1, CellInit.PyTorch), x, PyTorchWeights.FromGru, (RnnState<float> st) => st.H, true, dir);
                break;
            case "rnn":
                Run(Rnn<float>.Create(s.D, s.H, seed + 1, CellInit.PyTorch), x, PyTorchWeights.FromRnn, (RnnState<float> st) => st.H, false, dir);
                break;
            default: throw new ArgumentException($"unknown cell {cell}");
        }
    }

    private static void Run<TCell, TState>(TCell c, Tensor<float> x, Func<TCell, PyTorchRnnWeights<float>> export,
        Func<TState, Tensor<float>> finalH, bool gru, string dir) where TCell : IRecurrentCell<TState, float>
    {
        var w = export(c);
        Save(dir, "x", x);
        Save(dir, "w_ih", w.WeightIh);
        Save(dir, "w_hh", w.WeightHh);
        Save(dir, "b_ih", w.BiasIh);
        Save(dir, "b_hh", w.BiasHh);

        var r = Sequence.Unroll(c, x);
        Save(dir, "y", r.Outputs);
        Save(dir, "h_t", finalH(r.Final));

        var (_, g) = Autodiff.ValueAndGrad(((TCell C, Tensor<float> X) p) => Sum(Sequence.Unroll(p.C, p.X).Outputs), (c, x));
        var (gCell, gX) = g;
        Save(dir, "dx", gX);
        var gw = export(gCell);
        Save(dir, "dw_ih", gw.WeightIh);
        Save(dir, "dw_hh", gw.WeightHh);
        // The export writes merged biases to bias_ih and zeros to bias_hh; PyTorch's gradient of either is the merged
        // bias' gradient. GRU: the candidate's two biases stay apart (bias_ih holds b_in's, bias_hh b_hn's).
        var dbIh = gw.BiasIh.ToArray();
        var dbHh = (float[])dbIh.Clone();
        if (gru)
        {
            int h = dbIh.Length / 3;
            gw.BiasHh.AsSpan()[(2 * h)..].CopyTo(dbHh.AsSpan(2 * h));
        }
        SaveRaw(dir, "db_ih", dbIh);
        SaveRaw(dir, "db_hh", dbHh);
    }

    private static void Save(string dir, string name, Tensor<float> t) => SaveRaw(dir, name, t.AsSpan());

    private static void SaveRaw(string dir, string name, ReadOnlySpan<float> data)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the dump format is little-endian float32");
        File.WriteAllBytes(Path.Combine(dir, name + ".f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(data).ToArray());
    }
}
