using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Which fused kernel runs a cell, decided by explicit checks (no exception is caught): the cell type must have a kernel
/// and every tensor the kernel reads must have the shape the kernel lays out. Otherwise the reason, which the unroll
/// records (<see cref="UnrollPath.Reason"/>, <see cref="Tape{T}.Annotations"/>) before running the per-step path.
/// </summary>
internal static class FusedKernels
{
    /// <summary>The kernel for <paramref name="cell"/>, or null and why it runs per step.</summary>
    public static (FusedCellKernel<T>? Kernel, string? Why) Create<TState, T>(IRecurrentCell<TState, T> cell)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!FusedWidth.Supports<T>()) return (null, UnsupportedElement(typeof(T).Name));
        int h = cell.OutputSize, d = cell.InputSize;
        Shape gate = new(h + d, h), vector = new(h);
        return (object)cell switch
        {
            Lstm<T> c => Make(() => new LstmKernel<T>(c), Shapes((nameof(c.Wf), c.Wf, gate), (nameof(c.Wi), c.Wi, gate), (nameof(c.Wc), c.Wc, gate), (nameof(c.Wo), c.Wo, gate),
                (nameof(c.Bf), c.Bf, vector), (nameof(c.Bi), c.Bi, vector), (nameof(c.Bc), c.Bc, vector), (nameof(c.Bo), c.Bo, vector))),
            CoupledLstm<T> c => Make(() => new LstmKernel<T>(c), Shapes((nameof(c.Wf), c.Wf, gate), (nameof(c.Wc), c.Wc, gate), (nameof(c.Wo), c.Wo, gate),
                (nameof(c.Bf), c.Bf, vector), (nameof(c.Bc), c.Bc, vector), (nameof(c.Bo), c.Bo, vector))),
            Rnn<T> c => Make(() => new RnnKernel<T>(c), Shapes((nameof(c.W), c.W, gate), (nameof(c.B), c.B, vector))),
            Gru<T> c => Make(() => new GruKernel<T>(c), Shapes((nameof(c.Wz), c.Wz, gate), (nameof(c.Wr), c.Wr, gate), (nameof(c.W), c.W, gate),
                (nameof(c.Bz), c.Bz, vector), (nameof(c.Br), c.Br, vector), (nameof(c.B), c.B, vector))),
            GruResetAfter<T> c => Make(() => new GruResetAfterKernel<T>(c), Shapes((nameof(c.Wr), c.Wr, gate), (nameof(c.Wz), c.Wz, gate),
                (nameof(c.Wnx), c.Wnx, new Shape(d, h)), (nameof(c.Wnh), c.Wnh, new Shape(h, h)),
                (nameof(c.Br), c.Br, vector), (nameof(c.Bz), c.Bz, vector), (nameof(c.Bnx), c.Bnx, vector), (nameof(c.Bnh), c.Bnh, vector))),
            PeepholeLstm<T> { Diagonal: false } => (null, FullMatrixPeephole),
            PeepholeLstm<T> c => Make(() => new PeepholeLstmKernel<T>(c), Shapes((nameof(c.Wf), c.Wf, gate), (nameof(c.Wi), c.Wi, gate), (nameof(c.Wc), c.Wc, gate),
                (nameof(c.Wo), c.Wo, gate), (nameof(c.Pf), c.Pf, vector), (nameof(c.Pi), c.Pi, vector), (nameof(c.Po), c.Po, vector),
                (nameof(c.Bf), c.Bf, vector), (nameof(c.Bi), c.Bi, vector), (nameof(c.Bc), c.Bc, vector), (nameof(c.Bo), c.Bo, vector))),
            LayerNormLstm<T> c => Make(() => new LayerNormLstmKernel<T>(c),
                !double.IsFinite(c.Epsilon) || c.Epsilon <= 0 ? $"Epsilon is {c.Epsilon}; the fused kernel needs a finite ε > 0"
                : Shapes((nameof(c.Wh), c.Wh, new Shape(h, 4 * h)), (nameof(c.Wx), c.Wx, new Shape(d, 4 * h)), (nameof(c.B), c.B, new Shape(4 * h)),
                    (nameof(c.GainH), c.GainH, new Shape(4 * h)), (nameof(c.BiasH), c.BiasH, new Shape(4 * h)), (nameof(c.GainX), c.GainX, new Shape(4 * h)),
                    (nameof(c.BiasX), c.BiasX, new Shape(4 * h)), (nameof(c.GainC), c.GainC, vector), (nameof(c.BiasC), c.BiasC, vector))),
            _ => (null, NoKernel(Sequence.CellName(cell))),
        };
    }

    /// <summary>The reason for a tracked mask (the kernel's backward pass gives no gradient to the mask).</summary>
    public const string TrackedMask = "the mask is tracked on a tape; Detach() it to run fused";

    /// <summary>The reason for a mask with values other than 0 and 1 (the kernel carries or replaces the state, never blends).</summary>
    public const string FractionalMask = "the mask has values other than 0 and 1";

    /// <summary>The reason for the full-matrix peephole LSTM.</summary>
    public const string FullMatrixPeephole = "no fused kernel for the full-matrix peephole form (P [H, H]); the diagonal form (P [H]) has one";

    /// <summary>The reason for an element type the kernels' vectors do not hold (they are written once, over float and double SIMD vectors).</summary>
    public static string UnsupportedElement(string type) => $"the fused kernels run on float and double vectors, not {type}";

    /// <summary>The reason for a cell type without a kernel.</summary>
    public static string NoKernel(string cell) => $"no fused kernel for {cell}";

    /// <summary>The reason for a weight the kernel would read with another shape.</summary>
    public static string WrongShape(string parameter, Shape shape, Shape expected) =>
        $"parameter {parameter} is {shape}; the fused kernel reads it as {expected}";

    private static string? Shapes<T>(params (string Name, Tensor<T> Value, Shape Expected)[] parameters) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var (name, value, expected) in parameters)
            if (value.Shape != expected) return WrongShape(name, value.Shape, expected);
        return null;
    }

    private static (FusedCellKernel<T>?, string?) Make<T>(Func<FusedCellKernel<T>> kernel, string? why) where T : unmanaged, IFloatingPointIeee754<T> =>
        why is null ? (kernel(), null) : (null, why);
}
