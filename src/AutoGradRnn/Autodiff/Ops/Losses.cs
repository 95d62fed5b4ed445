using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGradRnn;

public static partial class Ops
{
    /// <summary>
    /// Mean squared error (1/n) Σ (ŷ − y)², a scalar. The shapes must be equal — no broadcasting, since
    /// <c>[B,1]</c> against <c>[B]</c> silently broadcasting to <c>[B,B]</c> is a classic bug.
    /// ∂/∂ŷ = 2(ŷ − y)/n·g, ∂/∂y = −2(ŷ − y)/n·g.
    /// </summary>
    public static Tensor<T> MeanSquaredError<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(prediction, nameof(prediction));
        Check(target, nameof(target));
        if (prediction.Shape != target.Shape) throw new ShapeMismatchException("mse", "prediction and target shapes differ", prediction.Shape, target.Shape);
        if (prediction.Count == 0) throw new ShapeMismatchException("mse", "empty prediction", prediction.Shape);
        var diff = K.Sub(prediction, target);
        T n = T.CreateTruncating(prediction.Count);
        var loss = Tensor.Scalar(TensorPrimitives.SumOfSquares<T>(diff.Data) / n);
        return Record("mse", loss, [prediction, target], (g, i) =>
            K.Scale(diff, (i == 0 ? T.One : -T.One) * T.CreateTruncating(2) * g.Data[0] / n));
    }

    /// <summary>
    /// Cross-entropy from logits, averaged over rows: (1/n) Σᵣ [log Σⱼ e^(z_rj) − z_r,targetᵣ], a scalar. The
    /// logits' last axis holds the classes; every other axis is a row (so per-step language-model logits
    /// <c>[B,T,C]</c> take B·T targets in row-major order). Stable through log-sum-exp.
    /// ∂/∂z = (softmax(z) − onehot(target))/n·g.
    /// </summary>
    public static Tensor<T> CrossEntropy<T>(Tensor<T> logits, int[] targets) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(logits, nameof(logits));
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.Rank == 0) throw new ShapeMismatchException("cross_entropy", "logits need a class axis", logits.Shape);
        int c = logits.Shape.Last, rows = c == 0 ? 0 : logits.Count / c;
        if (rows == 0) throw new ShapeMismatchException("cross_entropy", "no rows of logits", logits.Shape);
        if (targets.Length != rows)
            throw new ShapeMismatchException("cross_entropy", $"{targets.Length} targets for {rows} rows of logits", logits.Shape, new Shape(targets.Length));
        var logp = new T[logits.Count];
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            if ((uint)targets[r] >= (uint)c)
                throw new ArgumentOutOfRangeException(nameof(targets), $"cross_entropy: target {targets[r]} at row {r} is outside the {c} classes");
            LogSoftmaxRow<T>(logits.Data.AsSpan(r * c, c), logp.AsSpan(r * c, c));
            total -= logp[r * c + targets[r]];
        }
        T n = T.CreateTruncating(rows);
        var tgt = (int[])targets.Clone();
        return Record("cross_entropy", Tensor.Scalar(total / n), [logits], (g, _) =>
        {
            var d = new T[logp.Length];
            TensorPrimitives.Exp(logp, d);
            for (int r = 0; r < rows; r++) d[r * c + tgt[r]] -= T.One;
            TensorPrimitives.Multiply(d, g.Data[0] / n, d);
            return new Tensor<T>(d, logits.Shape);
        });
    }
}
