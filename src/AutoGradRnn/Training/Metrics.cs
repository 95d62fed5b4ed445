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

    /// <summary>Root mean squared error.</summary>
    public static double Rmse(double[] predicted, double[] actual)
    {
        Same(predicted, actual, "rmse");
        return Math.Sqrt(predicted.Zip(actual).Average(p => (p.First - p.Second) * (p.First - p.Second)));
    }

    /// <summary>Mean absolute error.</summary>
    public static double Mae(double[] predicted, double[] actual)
    {
        Same(predicted, actual, "mae");
        return predicted.Zip(actual).Average(p => Math.Abs(p.First - p.Second));
    }

    /// <summary>Mean absolute percentage error, in percent: 100/n Σ |ŷ − y| / |y|. Every actual must be non-zero.</summary>
    public static double Mape(double[] predicted, double[] actual)
    {
        Same(predicted, actual, "mape");
        int zero = Array.FindIndex(actual, a => a == 0);
        if (zero >= 0) throw new ArgumentException($"mape: actual value at index {zero} is 0, so the percentage error is undefined", nameof(actual));
        return 100 * predicted.Zip(actual).Average(p => Math.Abs(p.First - p.Second) / Math.Abs(p.Second));
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

    private static void Same<TA, TB>(TA[] a, TB[] b, string metric)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length) throw new ArgumentException($"{metric}: {a.Length} predictions for {b.Length} actual values");
        if (a.Length == 0) throw new ArgumentException($"{metric}: no values");
        foreach (var v in a.OfType<double>().Concat(b.OfType<double>()))
            if (!double.IsFinite(v)) throw new ArgumentException($"{metric}: values must be finite, found {v}");
    }
}
