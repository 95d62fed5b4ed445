using System.Numerics;

namespace AutoGradRnn;

/// <summary>How weight matrices are drawn.</summary>
public enum WeightInit
{
    /// <summary>PyTorch's default for RNN layers: every weight and bias U(−1/√H, 1/√H).</summary>
    PyTorchUniform,
    /// <summary>Glorot/Xavier uniform: U(±√(6/(fan_in + fan_out))) per gate block; biases 0 (Keras' default kernel).</summary>
    GlorotUniform,
}

/// <summary>
/// Initialisation of a recurrent cell. The default is PyTorch's uniform weights with the forget-gate
/// bias set to 1 (Jozefowicz et al. 2015), which is Keras' <c>unit_forget_bias=True</c>: a new LSTM starts
/// out remembering. <see cref="PyTorch"/> is PyTorch's exact default; <see cref="Keras"/> is Keras'.
/// </summary>
public sealed record CellInit
{
    /// <summary>Distribution of the weight matrices (input and recurrent parts).</summary>
    public WeightInit Weights { get; init; } = WeightInit.PyTorchUniform;

    /// <summary>Draw each gate's recurrent block (acting on h_{t-1}) as a random orthogonal matrix (Saxe et al. 2014).</summary>
    public bool OrthogonalRecurrent { get; init; }

    /// <summary>LSTM variants only: set the forget-gate bias b_f to 1.0 (the default).</summary>
    public bool UnitForgetBias { get; init; } = true;

    /// <summary>PyTorch's <c>nn.LSTM</c>/<c>nn.GRU</c>/<c>nn.RNN</c> default: uniform weights and biases, no forget-bias trick.</summary>
    public static CellInit PyTorch { get; } = new() { UnitForgetBias = false };

    /// <summary>Keras' LSTM default: Glorot-uniform input weights, orthogonal recurrent weights, zero biases, forget bias 1.</summary>
    public static CellInit Keras { get; } = new() { Weights = WeightInit.GlorotUniform, OrthogonalRecurrent = true };

    /// <summary>
    /// Chrono initialisation (Tallec &amp; Ollivier 2018) of a new cell for sequences of <paramref name="length"/> steps:
    /// the forget-gate biases b_f ~ log U(1, T−1) and the input-gate biases b_i = −b_f, so some units start out keeping
    /// their state for about as long as the sequence. A GRU's update-gate bias is drawn the same way, signed so that the
    /// gate keeps the old state. <see cref="Lstm{T}"/>, <see cref="PeepholeLstm{T}"/>, <see cref="CoupledLstm{T}"/> (forget
    /// bias only: its input gate is 1 − f), <see cref="GruResetAfter{T}"/> and <see cref="Gru{T}"/> are set; any other
    /// cell (the tanh RNN has no gate) is returned as it is.
    /// </summary>
    public static IRecurrentCell<TState, T> Chrono<TState, T>(IRecurrentCell<TState, T> cell, int length, Rng rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(rng);
        Tensor<T> Draw(int h) => Tensor.FromArray(Enumerable.Range(0, h).Select(_ => T.CreateChecked(Math.Log(1 + rng.NextDouble() * Math.Max(length - 2, 1e-3)))).ToArray());
        object chrono = cell switch
        {
            Lstm<T> l => Draw(l.OutputSize) is var b ? l with { Bf = b, Bi = -b } : l,
            PeepholeLstm<T> p => Draw(p.OutputSize) is var b ? p with { Bf = b, Bi = -b } : p,
            CoupledLstm<T> c => c with { Bf = Draw(c.OutputSize) },
            GruResetAfter<T> g => g with { Bz = Draw(g.OutputSize) },       // z keeps the old state
            Gru<T> g => g with { Bz = -Draw(g.OutputSize) },                // here z takes the new candidate
            _ => cell,
        };
        return (IRecurrentCell<TState, T>)chrono;
    }

    /// <summary>
    /// One gate's weight over <c>[h_{t-1}, x_t]</c>: a <c>[H + D, H]</c> matrix whose first H rows act on
    /// h_{t-1} (the recurrent block) and last D rows on x_t.
    /// </summary>
    internal Tensor<T> GateWeight<T>(Rng rng, int inputSize, int hiddenSize) where T : unmanaged, IFloatingPointIeee754<T> =>
        Ops.Concat([Block<T>(rng, hiddenSize, hiddenSize, recurrent: true), Block<T>(rng, inputSize, hiddenSize, recurrent: false)], axis: 0);

    /// <summary>
    /// A <c>[rows, H]</c> block: the recurrent part of a gate (rows = H, or P for a projected recurrence) or its input part
    /// (rows = D). An orthogonal recurrent block that is not square is cut from a square one, so its rows (rows &lt; H) or
    /// its columns (rows &gt; H) are orthonormal.
    /// </summary>
    internal Tensor<T> Block<T>(Rng rng, int rows, int hiddenSize, bool recurrent) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (recurrent && OrthogonalRecurrent)
            return rows == hiddenSize ? Orthogonal<T>(rng, hiddenSize) : Ops.Slice(Ops.Slice(Orthogonal<T>(rng, Math.Max(rows, hiddenSize)), 0, rows, 0), 0, hiddenSize, 1);
        double bound = Weights == WeightInit.PyTorchUniform ? 1 / Math.Sqrt(hiddenSize) : Math.Sqrt(6.0 / (rows + hiddenSize));
        return rng.Uniform<T>(new Shape(rows, hiddenSize), -bound, bound);
    }

    /// <summary>A projection <c>[H, P]</c> from the cell outputs to the recurrent state (PyTorch's <c>weight_hr</c>, transposed): U(±1/√H), or Glorot.</summary>
    internal Tensor<T> Projection<T>(Rng rng, int hiddenSize, int projectionSize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double bound = Weights == WeightInit.PyTorchUniform ? 1 / Math.Sqrt(hiddenSize) : Math.Sqrt(6.0 / (hiddenSize + projectionSize));
        return rng.Uniform<T>(new Shape(hiddenSize, projectionSize), -bound, bound);
    }

    /// <summary>A gate bias <c>[H]</c>; <paramref name="forget"/> marks an LSTM forget gate.</summary>
    internal Tensor<T> Bias<T>(Rng rng, int hiddenSize, bool forget = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (forget && UnitForgetBias) return Tensor.Ones<T>(hiddenSize);
        if (Weights == WeightInit.GlorotUniform) return Tensor.Zeros<T>(hiddenSize);
        double bound = 1 / Math.Sqrt(hiddenSize);
        return rng.Uniform<T>(new Shape(hiddenSize), -bound, bound);
    }

    /// <summary>A random orthogonal n×n matrix: Gram–Schmidt on a Gaussian matrix (QR with diag(R) &gt; 0, as PyTorch's <c>orthogonal_</c>).</summary>
    internal static Tensor<T> Orthogonal<T>(Rng rng, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var q = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) q[i, j] = rng.NextNormal();
        for (int j = 0; j < n; j++)          // modified Gram–Schmidt over columns
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += q[i, k] * q[i, j];
                for (int i = 0; i < n; i++) q[i, j] -= dot * q[i, k];
            }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += q[i, j] * q[i, j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++) q[i, j] /= norm;
        }
        var data = new T[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) data[i * n + j] = T.CreateTruncating(q[i, j]);
        return Tensor.FromArray(data, n, n);
    }
}
