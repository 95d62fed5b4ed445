namespace AutoGradRnn;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls <paramref name="report"/> synchronously on the reporting thread.
/// The BCL's <see cref="Progress{T}"/> posts to a synchronization context or the thread pool instead, so in a
/// console program its reports can arrive late and out of order.
/// </summary>
public sealed class ProgressCallback<T>(Action<T> report) : IProgress<T>
{
    private readonly Action<T> report = report ?? throw new ArgumentNullException(nameof(report));

    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
