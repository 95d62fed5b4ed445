namespace AutoGradRnn;

/// <summary>
/// Runs numbered chunks of one job on the calling thread and up to <c>helpers</c> thread-pool threads. Each
/// thread takes the next unclaimed chunk, so a helper that starts late (on a busy machine) simply finds less or
/// nothing to do and the caller never waits for it to be scheduled; the caller then waits only for chunks already
/// being computed, with <see cref="ManualResetEventSlim"/> (a short spin, then a blocking wait, never a pure spin).
/// </summary>
internal static class WorkSharing
{
    /// <summary>Runs <paramref name="chunk"/>(0 … chunks − 1), each exactly once, and returns when all are done.</summary>
    public static void Run(int chunks, int helpers, Action<int> chunk)
    {
        if (chunks <= 1 || helpers < 1)
        {
            for (int i = 0; i < chunks; i++) chunk(i);
            return;
        }
        var work = new Shared(chunks, chunk);
        for (int h = 0; h < Math.Min(helpers, chunks - 1); h++)
            ThreadPool.UnsafeQueueUserWorkItem(w => w.Work(), work, preferLocal: false);
        work.Work();
        work.WaitForAll();
    }

    private sealed class Shared(int chunks, Action<int> chunk)
    {
        private int next = -1, done;
        private readonly ManualResetEventSlim finished = new(false);
        private Exception? error;

        public void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < chunks)
            {
                try { chunk(i); }
                catch (Exception e) { Interlocked.CompareExchange(ref error, e, null); }
                if (Interlocked.Increment(ref done) == chunks) finished.Set();
            }
        }

        public void WaitForAll()
        {
            finished.Wait();
            finished.Dispose();
            if (error is not null) throw new AggregateException(error);
        }
    }
}
