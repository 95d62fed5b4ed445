using System.Collections;

namespace AutoGradRnn;

/// <summary>
/// A read-only list whose item k is made by <c>make(k)</c> each time it is read, never stored: the stream batches of a
/// long text would otherwise hold two more copies of it (inputs and targets), 8 bytes a character.
/// </summary>
internal sealed class BatchList<T>(int count, Func<int, T> make) : IReadOnlyList<T>
{
    public int Count => count;

    public T this[int index] => (uint)index < (uint)count ? make(index)
        : throw new ArgumentOutOfRangeException(nameof(index), $"batches: index {index} is outside [0, {count})");

    public IEnumerator<T> GetEnumerator()
    {
        for (int k = 0; k < count; k++) yield return make(k);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
