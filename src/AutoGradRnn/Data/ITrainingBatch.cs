namespace AutoGradRnn;

/// <summary>A batch the trainer can count: <see cref="Items"/> are tokens (language models) or samples (forecasting), for throughput.</summary>
public interface ITrainingBatch
{
    /// <summary>Tokens or samples in the batch.</summary>
    int Items { get; }
}
