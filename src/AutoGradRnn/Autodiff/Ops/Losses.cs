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
        int count = prediction.Count;
        T n = T.CreateTruncating(count);
        var loss = Tensor.Scalar(TensorPrimitives.SumOfSquares<T>(diff.Data) / n);
        return Record("mse", loss, [prediction, target], c =>
        {
            T s = T.CreateTruncating(2) * c.Gradient.Data[0] / n;
            return [c.NeedsGradient(0) ? K.Scale(diff, s) : null, c.NeedsGradient(1) ? K.Scale(diff, -s) : null];
        });
    }

    /// <summary>
    /// Cross-entropy from logits, averaged over rows: (1/n) Σᵣ [log Σⱼ e^(z_rj) − z_r,targetᵣ], a scalar. The
    /// logits' last axis holds the classes; every other axis is a row (so per-step language-model logits
    /// <c>[B,T,C]</c> take B·T targets in row-major order). Stable through log-sum-exp.
    /// ∂/∂z = (softmax(z) − onehot(target))/n·g.
    /// </summary>
    public static Tensor<T> CrossEntropy<T>(Tensor<T> logits, int[] targets) where T : unmanaged, IFloatingPointIeee754<T> =>
        Mean(CrossEntropyPerRow(logits, targets));
}

public static partial class Ops
{
    /// <summary>
    /// Mean absolute error (1/n) Σ |ŷ − y|, a scalar; shapes must be equal. ∂/∂ŷ = sign(ŷ − y)/n·g (0 where equal).
    /// </summary>
    public static Tensor<T> MeanAbsoluteError<T>(Tensor<T> prediction, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(prediction, nameof(prediction));
        Check(target, nameof(target));
        if (prediction.Shape != target.Shape) throw new ShapeMismatchException("mae", "prediction and target shapes differ", prediction.Shape, target.Shape);
        if (prediction.Count == 0) throw new ShapeMismatchException("mae", "empty prediction", prediction.Shape);
        return Mean(Abs(prediction - target));
    }

    /// <summary>
    /// Masked mean squared error: Σ m·(ŷ − y)² / (Σ m · F), where the mask <c>m</c> has the prediction's
    /// shape, or its shape without the last (feature, size F) axis — e.g. <c>[B,T]</c> for <c>[B,T,F]</c>.
    /// Masked-out elements contribute neither loss nor gradient.
    /// </summary>
    public static Tensor<T> MeanSquaredError<T>(Tensor<T> prediction, Tensor<T> target, Tensor<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m, features) = FeatureMask("mse", prediction, target, mask);
        var diff = prediction - target;
        return Sum(diff * diff * m) / (TensorPrimitivesSum(m) * T.CreateTruncating(features));
    }

    /// <summary>Masked mean absolute error: Σ m·|ŷ − y| / (Σ m · F); the mask as in the masked <see cref="MeanSquaredError{T}(Tensor{T}, Tensor{T}, Tensor{T})"/>.</summary>
    public static Tensor<T> MeanAbsoluteError<T>(Tensor<T> prediction, Tensor<T> target, Tensor<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m, features) = FeatureMask("mae", prediction, target, mask);
        return Sum(Abs(prediction - target) * m) / (TensorPrimitivesSum(m) * T.CreateTruncating(features));
    }

    /// <summary>
    /// Masked cross-entropy from logits: Σᵣ mᵣ·CEᵣ / Σᵣ mᵣ over the rows of the logits (every axis but the
    /// last), e.g. per-step language-model logits <c>[B,T,C]</c> with a <c>[B,T]</c> mask of real (non-padded)
    /// steps. Rows with mᵣ = 0 may hold any target in range and get zero gradient. The mask's element count
    /// must equal the number of rows.
    /// </summary>
    public static Tensor<T> CrossEntropy<T>(Tensor<T> logits, int[] targets, Tensor<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(logits, nameof(logits));
        Check(mask, nameof(mask));
        int rows = logits.Shape.Last == 0 ? 0 : logits.Count / logits.Shape.Last;
        if (mask.Count != rows)
            throw new ShapeMismatchException("cross_entropy", $"the mask has {mask.Count} elements for {rows} rows of logits", logits.Shape, mask.Shape);
        T total = TensorPrimitivesSum(mask);
        if (total <= T.Zero) throw new ArgumentException($"cross_entropy: the mask {mask.Shape} selects no rows", nameof(mask));
        var perRow = CrossEntropyPerRow(logits, targets);
        return Sum(perRow * Reshape(mask.Detach(), rows)) / total;
    }

    /// <summary>The cross-entropy of each row, <c>[rows]</c>: log Σⱼ e^(z_rj) − z_r,targetᵣ. ∂/∂z_r = (softmax(z_r) − onehot)·g_r.</summary>
    public static Tensor<T> CrossEntropyPerRow<T>(Tensor<T> logits, int[] targets) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(logits, nameof(logits));
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.Rank == 0) throw new ShapeMismatchException("cross_entropy", "logits need a class axis", logits.Shape);
        int c = logits.Shape.Last, rows = c == 0 ? 0 : logits.Count / c;
        if (rows == 0) throw new ShapeMismatchException("cross_entropy", "no rows of logits", logits.Shape);
        if (targets.Length != rows)
            throw new ShapeMismatchException("cross_entropy", $"{targets.Length} targets for {rows} rows of logits", logits.Shape, new Shape(targets.Length));
        var logp = new T[logits.Count];
        var loss = new T[rows];
        for (int r = 0; r < rows; r++)
        {
            if ((uint)targets[r] >= (uint)c)
                throw new ArgumentOutOfRangeException(nameof(targets), $"cross_entropy: target {targets[r]} at row {r} is outside the {c} classes");
            LogSoftmaxRow<T>(logits.Data.AsSpan(r * c, c), logp.AsSpan(r * c, c));
            loss[r] = -logp[r * c + targets[r]];
        }
        var tgt = (int[])targets.Clone();
        return Record("cross_entropy_rows", new Tensor<T>(loss, new Shape(rows)), [logits], ctx =>
        {
            var g = ctx.Gradient;
            var d = new T[logp.Length];
            TensorPrimitives.Exp(logp, d);
            for (int r = 0; r < rows; r++)
            {
                d[r * c + tgt[r]] -= T.One;
                TensorPrimitives.Multiply(d.AsSpan(r * c, c), g.Data[r], d.AsSpan(r * c, c));
            }
            return [new Tensor<T>(d, logits.Shape)];
        });
    }

    private static T TensorPrimitivesSum<T>(Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sum<T>(x.Data);

    /// <summary>Checks a loss mask and returns it shaped to broadcast over the prediction, plus the features per mask element.</summary>
    private static (Tensor<T> Mask, int Features) FeatureMask<T>(string op, Tensor<T> prediction, Tensor<T> target, Tensor<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(prediction, nameof(prediction));
        Check(target, nameof(target));
        Check(mask, nameof(mask));
        if (prediction.Shape != target.Shape) throw new ShapeMismatchException(op, "prediction and target shapes differ", prediction.Shape, target.Shape);
        Tensor<T> m;
        int features;
        if (mask.Shape == prediction.Shape) (m, features) = (mask, 1);
        else if (prediction.Rank >= 1 && mask.Shape == new Shape(prediction.Shape.Dims[..^1].ToArray()))
            (m, features) = (Reshape(mask, [.. mask.Shape.Dims, 1]), prediction.Shape.Last);
        else throw new ShapeMismatchException(op, "the mask must have the prediction's shape, or that shape without its last axis", prediction.Shape, mask.Shape);
        if (TensorPrimitivesSum(mask) <= T.Zero) throw new ArgumentException($"{op}: the mask {mask.Shape} selects no elements", nameof(mask));
        return (m.Detach(), features);
    }
}
