namespace AutoGradRnn;

/// <summary>Evaluation metrics, computed in double.</summary>
public static class Metrics
{
    /// <summary>Bits per character from a mean cross-entropy in nats: CE / ln 2.</summary>
    public static double BitsPerCharacter(double crossEntropyNats) => crossEntropyNats / Math.Log(2);

    /// <summary>Perplexity from a mean cross-entropy in nats: e^CE.</summary>
    public static double Perplexity(double crossEntropyNats) => Math.Exp(crossEntropyNats);

    /// <summary>The fraction of positions where <paramref name="predicted"/> equals <paramref name="actual"/>.</summary>
    public static double Accuracy(int[] predicted, int[] actual)
    {
        Same(predicted, actual, "accuracy");
        return predicted.Zip(actual).Count(p => p.First == p.Second) / (double)predicted.Length;
    }

    /// <summary>Root mean squared error, finite whenever the true value is (no square overflows or underflows).</summary>
    public static double Rmse(double[] predicted, double[] actual)
    {
        Same(predicted, actual, "rmse");
        var errors = Errors(predicted, actual);
        var squares = errors.Select(e => (e.Mantissa * e.Mantissa, 2 * e.Exponent)).ToArray();
        var (mean, exponent) = ScaledMean(squares);   // the exponent is even: every term's is
        return Math.ScaleB(Math.Sqrt(mean), exponent / 2);
    }

    /// <summary>Mean absolute error, finite whenever the true value is.</summary>
    public static double Mae(double[] predicted, double[] actual)
    {
        Same(predicted, actual, "mae");
        var (mean, exponent) = ScaledMean(Errors(predicted, actual));
        return Math.ScaleB(mean, exponent);
    }

    /// <summary>Mean absolute percentage error, in percent: 100/n Σ |ŷ − y| / |y|, finite whenever the true value is. Every actual must be non-zero.</summary>
    public static double Mape(double[] predicted, double[] actual)
    {
        Same(predicted, actual, "mape");
        int zero = Array.FindIndex(actual, a => a == 0);
        if (zero >= 0) throw new ArgumentException($"mape: actual value at index {zero} is 0, so the percentage error is undefined", nameof(actual));
        // |ŷ − y| / |y| as a quotient of mantissas times 2^(difference of exponents): no ratio overflows or underflows.
        var ratios = Errors(predicted, actual).Select((e, i) =>
        {
            var y = Split(Math.Abs(actual[i]));
            return (e.Mantissa / y.Mantissa, e.Exponent - y.Exponent);
        }).ToArray();
        var (mean, exponent) = ScaledMean(ratios);
        return Math.ScaleB(100 * mean, exponent);
    }

    /// <summary>
    /// |ŷᵢ − yᵢ| as m·2^k with m ∈ [1, 2) (m = 0 for no error). The difference of two finite doubles overflows only when
    /// both are near ±1.8e308; then it is taken of the halves (exact there) and k counts the factor 2.
    /// </summary>
    private static (double Mantissa, int Exponent)[] Errors(double[] predicted, double[] actual)
    {
        var errors = new (double, int)[predicted.Length];
        for (int i = 0; i < errors.Length; i++)
        {
            double d = predicted[i] - actual[i];
            if (double.IsFinite(d)) { errors[i] = Split(Math.Abs(d)); continue; }
            var (m, k) = Split(Math.Abs(predicted[i] / 2 - actual[i] / 2));
            errors[i] = (m, k + 1);
        }
        return errors;
    }

    /// <summary>A finite x ≥ 0 as m·2^k with m ∈ [1, 2), exactly (subnormals included); 0 as (0, 0).</summary>
    private static (double Mantissa, int Exponent) Split(double x)
    {
        if (x == 0) return (0, 0);
        int k = Math.ILogB(x);
        return (Math.ScaleB(x, -k), k);
    }

    /// <summary>
    /// The mean of terms mᵢ·2^kᵢ as (mean·2^−K, K), K the largest kᵢ: the sum runs at the scale of the largest term, so it
    /// neither overflows nor loses the small terms to underflow. Scaling by powers of two is exact, so where the plain
    /// sum did not overflow or underflow the result is the same to the last bit.
    /// </summary>
    private static (double Mean, int Exponent) ScaledMean((double Mantissa, int Exponent)[] terms)
    {
        int top = int.MinValue;
        foreach (var (m, k) in terms) if (m != 0) top = Math.Max(top, k);
        if (top == int.MinValue) return (0, 0);
        double sum = 0;
        foreach (var (m, k) in terms) if (m != 0) sum += Math.ScaleB(m, k - top);
        return (sum / terms.Length, top);
    }

    /// <summary>The index of the largest value in each row of <c>[rows, classes]</c> logits (or any rank: the last axis).</summary>
    public static int[] ArgMax<T>(Tensor<T> logits) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        int c = logits.Shape.Last;
        var data = logits.AsSpan();
        var result = new int[c == 0 ? 0 : logits.Count / c];
        for (int r = 0; r < result.Length; r++) result[r] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(data.Slice(r * c, c));
        return result;
    }

    private static void Same<TA, TB>(TA[] predicted, TB[] actual, string metric)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(actual);
        if (predicted.Length != actual.Length) throw new ShapeMismatchException(metric, $"{predicted.Length} predictions for {actual.Length} actual values", new Shape(predicted.Length), new Shape(actual.Length));
        if (predicted.Length == 0) throw new ShapeMismatchException(metric, "no values", new Shape(0));   // like a loss of an empty prediction
        foreach (var v in predicted.OfType<double>().Concat(actual.OfType<double>()))
            if (!double.IsFinite(v)) throw new ArgumentException($"{metric}: values must be finite, found {v}");
    }
}
