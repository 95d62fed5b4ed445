namespace AutoGradRnn.Tests;

/// <summary>
/// Fused == composed at shapes where the fused path changes how it works, not what it computes: the batch is split
/// over threads (the chunk bounds and every offset of a chunk that does not start at row 0), weight gradients are
/// formed in column chunks on threads, and the transposed gradient rows are padded when a row is a multiple of
/// 2 KiB (64 float64 LSTM units: 4·64·8 bytes). The property tests keep shapes small, so none of this runs there.
/// </summary>
public class FusedLargeShapeTests
{
    /// <summary>32 rows of 16 steps, 64 units: every kernel's per-step work is over the batch-split threshold.</summary>
    private static readonly CellCase Large = new(B: 32, T: 16, D: 8, H: 64, Seed: 5);

    public static TheoryData<int, bool> Kernels()
    {
        var data = new TheoryData<int, bool>();
        for (int k = 0; k < FusedWidthTests.WidthCase.Kernels.Length; k++)
            foreach (var masked in new[] { false, true }) data.Add(k, masked);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Float64_fused_equals_composed_when_the_batch_is_split_over_threads(int kernel, bool masked) =>
        FusedWidthTests.CheckAtCurrentWidth<double>(new FusedWidthTests.WidthCase(Large, kernel, masked), 1e-9, 1e-11);

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Float32_fused_equals_composed_with_padded_gradient_rows(int kernel, bool masked) =>
        FusedWidthTests.CheckAtCurrentWidth<float>(new FusedWidthTests.WidthCase(Large with { H = 128, B = 8, T = 8 }, kernel, masked), 2e-3, 2e-4);

    /// <summary>72 units: the weight-gradient columns split into chunks of unequal width (the last one narrower).</summary>
    [Theory]
    [MemberData(nameof(Kernels))]
    public void Float64_fused_equals_composed_when_the_gradient_columns_split_unevenly(int kernel, bool masked) =>
        FusedWidthTests.CheckAtCurrentWidth<double>(new FusedWidthTests.WidthCase(Large with { H = 72 }, kernel, masked), 1e-9, 1e-11);

    /// <summary>
    /// A mask with padding before and between real steps, from a random initial state: the backward pass must read each
    /// step's previous state from the carried states, not from the outputs (zero on padded steps).
    /// </summary>
    [Theory]
    [MemberData(nameof(Kernels))]
    public void Fused_equals_composed_when_padding_comes_before_and_between_real_steps(int kernel, bool large) =>
        FusedWidthTests.CheckAtCurrentWidth<double>(new FusedWidthTests.WidthCase(large ? Large : new CellCase(B: 4, T: 7, D: 3, H: 9, Seed: 2), kernel, true, Holes: true), 1e-9, 1e-11);

    /// <summary>
    /// The fused path keeps its per-row buffers in a shared pool, so a buffer may come back holding an earlier run's
    /// values, NaN included. A masked run never writes the padded rows of its saved values but multiplies them by 0 in
    /// the U2 gradient (0 · NaN = NaN), so it must clear them: after a run over NaN inputs, masked runs of every kernel
    /// still equal the composed ones.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kernels))]
    public void Buffers_from_the_pool_never_carry_an_earlier_runs_values_into_a_masked_run(int kernel, bool masked)
    {
        var small = new CellCase(B: 3, T: 4, D: 2, H: 5, Seed: 9);
        var poison = Tensor.Fill(double.NaN, new Shape(small.B, small.T, small.D));
        foreach (var cell in new IRecurrentCell<LstmState<double>, double>[] { Lstm<double>.Create(2, 5, 1), PeepholeLstm<double>.Create(2, 5, 1, diagonal: true), LayerNormLstm<double>.Create(2, 5, 1) })
            Sequence.Unroll(cell, poison);
        foreach (var cell in new IRecurrentCell<RnnState<double>, double>[] { Gru<double>.Create(2, 5, 1), GruResetAfter<double>.Create(2, 5, 1), Rnn<double>.Create(2, 5, 1) })
            Sequence.Unroll(cell, poison);
        FusedWidthTests.CheckAtCurrentWidth<double>(new FusedWidthTests.WidthCase(small, kernel, masked), 1e-9, 1e-11);
    }
}
