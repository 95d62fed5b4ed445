using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGradRnn;

/// <summary>
/// One SIMD vector of float or double lanes, of one width: what the fused kernels and <see cref="FastActivations"/> are
/// written against once, as generic methods the JIT specialises per implementing struct (<see cref="V128{T}"/>,
/// <see cref="V256{T}"/>, <see cref="V512{T}"/>), so each call is direct and inlined (the BCL's ISimdVector is not public).
/// </summary>
internal interface ISimdVector<TSelf, T>
    where TSelf : struct, ISimdVector<TSelf, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Lanes.</summary>
    static abstract int Count { get; }
    static abstract TSelf One { get; }
    /// <summary>A broadcast constant, given in both precisions (so each is exactly the literal of its type).</summary>
    static abstract TSelf Create(float f, double d);

    static abstract TSelf Load(ref T source, nuint index);
    static abstract void Store(TSelf v, ref T destination, nuint index);
    /// <summary>The first <paramref name="count"/> (&lt; Count) values from index, the other lanes 0.</summary>
    static abstract TSelf LoadPart(ref T source, nuint index, int count);
    /// <summary>Writes the first <paramref name="count"/> lanes only.</summary>
    static abstract void StorePart(TSelf v, ref T destination, nuint index, int count);

    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a);
    /// <summary>a·b + c, rounded once.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Min(TSelf a, TSelf b);
    static abstract TSelf Max(TSelf a, TSelf b);
    static abstract TSelf Round(TSelf a);
    static abstract TSelf Abs(TSelf a);
    static abstract TSelf CopySign(TSelf value, TSelf sign);
    /// <summary>y, except x where x is NaN.</summary>
    static abstract TSelf KeepNaN(TSelf x, TSelf y);
    /// <summary>2ᵏ for whole k within the exponent range (built in the exponent bits).</summary>
    static abstract TSelf Pow2(TSelf k);
    /// <summary>1/d to float precision for d in [1, 2¹²⁷): the AVX-512 14-bit estimate and one Newton step when there is one, else a division.</summary>
    static abstract TSelf ReciprocalF(TSelf d);
}

/// <summary>How a kernel step reads and writes its rows: a whole vector, or the padded last part of a row.</summary>
internal interface IRowAccess<V, T> where V : struct, ISimdVector<V, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    V Load(ref T source, nuint index);
    void Store(V v, ref T destination, nuint index);
}

/// <summary>A whole vector at the index.</summary>
internal readonly struct Whole<V, T> : IRowAccess<V, T> where V : struct, ISimdVector<V, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V Load(ref T source, nuint index) => V.Load(ref source, index);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(V v, ref T destination, nuint index) => V.Store(v, ref destination, index);
}

/// <summary>
/// The last <see cref="Count"/> values of a row as one zero-padded vector: reads and writes touch only those values,
/// so a step that writes over what it reads (dA over the saved row) or next to another block stays correct.
/// </summary>
internal readonly struct Part<V, T>(int count) : IRowAccess<V, T> where V : struct, ISimdVector<V, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int Count => count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V Load(ref T source, nuint index) => V.LoadPart(ref source, index, count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(V v, ref T destination, nuint index) => V.StorePart(v, ref destination, index, count);
}

/// <summary>
/// The vector width the fused kernels and <see cref="FastActivations"/> run at: the widest the hardware accelerates,
/// unless a test forces one (<see cref="Force"/>). A kernel reads it once, when it is made for a sequence.
/// </summary>
internal static class FusedWidth
{
    /// <summary>The widest accelerated width in bits (128 when none is: then the JIT emulates, still correct).</summary>
    public static int Widest => Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    private static readonly AsyncLocal<int> forced = new();
    private static int forces;   // open Force scopes in the process: while 0, Current costs one read

    /// <summary>The width to run at on this thread (or async flow).</summary>
    public static int Current => Volatile.Read(ref forces) == 0 ? Widest : forced.Value is var w and > 0 ? w : Widest;

    /// <summary>Runs the fused kernels made (and the activations called) in this async flow at <paramref name="bits"/> until disposed.</summary>
    public static IDisposable Force(int bits)
    {
        if (bits is not (128 or 256 or 512)) throw new ArgumentOutOfRangeException(nameof(bits), bits, "128, 256 or 512");
        int previous = forced.Value;
        forced.Value = bits;
        Interlocked.Increment(ref forces);
        return new Scope(previous);
    }

    private sealed class Scope(int previous) : IDisposable
    {
        private bool done;
        public void Dispose()
        {
            if (done) return;
            done = true;
            forced.Value = previous;
            Interlocked.Decrement(ref forces);
        }
    }

    /// <summary>True when the vector types serve <typeparamref name="T"/> (float and double).</summary>
    public static bool Supports<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    /// <summary>Copies the first <paramref name="count"/> values at <paramref name="index"/> into a zeroed vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector LoadPart<TVector, T>(ref T source, nuint index, int count) where TVector : unmanaged where T : unmanaged
    {
        TVector v = default;
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<TVector, byte>(ref v), ref Unsafe.As<T, byte>(ref Unsafe.Add(ref source, index)), (uint)(count * Unsafe.SizeOf<T>()));
        return v;
    }

    /// <summary>Copies the first <paramref name="count"/> lanes of <paramref name="v"/> to <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StorePart<TVector, T>(TVector v, ref T destination, nuint index, int count) where TVector : unmanaged where T : unmanaged =>
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref destination, index)), ref Unsafe.As<TVector, byte>(ref v), (uint)(count * Unsafe.SizeOf<T>()));
}

/// <summary>A <see cref="Vector512{T}"/> as an <see cref="ISimdVector{TSelf, T}"/>.</summary>
internal readonly struct V512<T>(Vector512<T> v) : ISimdVector<V512<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> v = v;
    public static int Count => Vector512<T>.Count;
    public static V512<T> One => new(Vector512<T>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Create(float f, double d) =>
        new(typeof(T) == typeof(float) ? Vector512.Create(f).As<float, T>() : Vector512.Create(d).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> Load(ref T source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V512<T> x, ref T destination, nuint index) => x.v.StoreUnsafe(ref destination, index);
    public static V512<T> LoadPart(ref T source, nuint index, int count) => new(FusedWidth.LoadPart<Vector512<T>, T>(ref source, index, count));
    public static void StorePart(V512<T> x, ref T destination, nuint index, int count) => FusedWidth.StorePart(x.v, ref destination, index, count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> operator +(V512<T> a, V512<T> b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> operator -(V512<T> a, V512<T> b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> operator *(V512<T> a, V512<T> b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> operator /(V512<T> a, V512<T> b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> operator -(V512<T> a) => new(-a.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> FusedMultiplyAdd(V512<T> a, V512<T> b, V512<T> c) => new(typeof(T) == typeof(float)
        ? Vector512.FusedMultiplyAdd(a.v.AsSingle(), b.v.AsSingle(), c.v.AsSingle()).As<float, T>()
        : Vector512.FusedMultiplyAdd(a.v.AsDouble(), b.v.AsDouble(), c.v.AsDouble()).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> Min(V512<T> a, V512<T> b) => new(Vector512.Min(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> Max(V512<T> a, V512<T> b) => new(Vector512.Max(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> Round(V512<T> a) =>
        new(typeof(T) == typeof(float) ? Vector512.Round(a.v.AsSingle()).As<float, T>() : Vector512.Round(a.v.AsDouble()).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> Abs(V512<T> a) => new(Vector512.Abs(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> CopySign(V512<T> value, V512<T> sign) => new(Vector512.CopySign(value.v, sign.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512<T> KeepNaN(V512<T> x, V512<T> y) => new(Vector512.ConditionalSelect(Vector512.Equals(x.v, x.v), y.v, x.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Pow2(V512<T> k) => new(typeof(T) == typeof(float)
        ? Vector512.ShiftLeft(Vector512.ConvertToInt32Native(k.v.AsSingle()) + Vector512.Create(127), 23).As<int, T>()
        : Vector512.ShiftLeft(Vector512.ConvertToInt64Native(k.v.AsDouble()) + Vector512.Create(1023L), 52).As<long, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> ReciprocalF(V512<T> d)
    {
        if (typeof(T) != typeof(float) || !Avx512F.IsSupported) return One / d;
        var x = d.v.AsSingle();
        var r = Avx512F.Reciprocal14(x);
        return new(Vector512.FusedMultiplyAdd(r, Vector512.FusedMultiplyAdd(-x, r, Vector512<float>.One), r).As<float, T>());   // r + r·(1 − d·r)
    }
}

/// <summary>A <see cref="Vector256{T}"/> as an <see cref="ISimdVector{TSelf, T}"/>.</summary>
internal readonly struct V256<T>(Vector256<T> v) : ISimdVector<V256<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector256<T> v = v;
    public static int Count => Vector256<T>.Count;
    public static V256<T> One => new(Vector256<T>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Create(float f, double d) =>
        new(typeof(T) == typeof(float) ? Vector256.Create(f).As<float, T>() : Vector256.Create(d).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> Load(ref T source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V256<T> x, ref T destination, nuint index) => x.v.StoreUnsafe(ref destination, index);
    public static V256<T> LoadPart(ref T source, nuint index, int count) => new(FusedWidth.LoadPart<Vector256<T>, T>(ref source, index, count));
    public static void StorePart(V256<T> x, ref T destination, nuint index, int count) => FusedWidth.StorePart(x.v, ref destination, index, count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> operator +(V256<T> a, V256<T> b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> operator -(V256<T> a, V256<T> b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> operator *(V256<T> a, V256<T> b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> operator /(V256<T> a, V256<T> b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> operator -(V256<T> a) => new(-a.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> FusedMultiplyAdd(V256<T> a, V256<T> b, V256<T> c) => new(typeof(T) == typeof(float)
        ? Vector256.FusedMultiplyAdd(a.v.AsSingle(), b.v.AsSingle(), c.v.AsSingle()).As<float, T>()
        : Vector256.FusedMultiplyAdd(a.v.AsDouble(), b.v.AsDouble(), c.v.AsDouble()).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> Min(V256<T> a, V256<T> b) => new(Vector256.Min(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> Max(V256<T> a, V256<T> b) => new(Vector256.Max(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> Round(V256<T> a) =>
        new(typeof(T) == typeof(float) ? Vector256.Round(a.v.AsSingle()).As<float, T>() : Vector256.Round(a.v.AsDouble()).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> Abs(V256<T> a) => new(Vector256.Abs(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> CopySign(V256<T> value, V256<T> sign) => new(Vector256.CopySign(value.v, sign.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256<T> KeepNaN(V256<T> x, V256<T> y) => new(Vector256.ConditionalSelect(Vector256.Equals(x.v, x.v), y.v, x.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Pow2(V256<T> k) => new(typeof(T) == typeof(float)
        ? Vector256.ShiftLeft(Vector256.ConvertToInt32Native(k.v.AsSingle()) + Vector256.Create(127), 23).As<int, T>()
        : Vector256.ShiftLeft(Vector256.ConvertToInt64Native(k.v.AsDouble()) + Vector256.Create(1023L), 52).As<long, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> ReciprocalF(V256<T> d)
    {
        if (typeof(T) != typeof(float) || !Avx512F.VL.IsSupported) return One / d;
        var x = d.v.AsSingle();
        var r = Avx512F.VL.Reciprocal14(x);
        return new(Vector256.FusedMultiplyAdd(r, Vector256.FusedMultiplyAdd(-x, r, Vector256<float>.One), r).As<float, T>());
    }
}

/// <summary>A <see cref="Vector128{T}"/> as an <see cref="ISimdVector{TSelf, T}"/>.</summary>
internal readonly struct V128<T>(Vector128<T> v) : ISimdVector<V128<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector128<T> v = v;
    public static int Count => Vector128<T>.Count;
    public static V128<T> One => new(Vector128<T>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> Create(float f, double d) =>
        new(typeof(T) == typeof(float) ? Vector128.Create(f).As<float, T>() : Vector128.Create(d).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> Load(ref T source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V128<T> x, ref T destination, nuint index) => x.v.StoreUnsafe(ref destination, index);
    public static V128<T> LoadPart(ref T source, nuint index, int count) => new(FusedWidth.LoadPart<Vector128<T>, T>(ref source, index, count));
    public static void StorePart(V128<T> x, ref T destination, nuint index, int count) => FusedWidth.StorePart(x.v, ref destination, index, count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> operator +(V128<T> a, V128<T> b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> operator -(V128<T> a, V128<T> b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> operator *(V128<T> a, V128<T> b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> operator /(V128<T> a, V128<T> b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> operator -(V128<T> a) => new(-a.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> FusedMultiplyAdd(V128<T> a, V128<T> b, V128<T> c) => new(typeof(T) == typeof(float)
        ? Vector128.FusedMultiplyAdd(a.v.AsSingle(), b.v.AsSingle(), c.v.AsSingle()).As<float, T>()
        : Vector128.FusedMultiplyAdd(a.v.AsDouble(), b.v.AsDouble(), c.v.AsDouble()).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> Min(V128<T> a, V128<T> b) => new(Vector128.Min(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> Max(V128<T> a, V128<T> b) => new(Vector128.Max(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> Round(V128<T> a) =>
        new(typeof(T) == typeof(float) ? Vector128.Round(a.v.AsSingle()).As<float, T>() : Vector128.Round(a.v.AsDouble()).As<double, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> Abs(V128<T> a) => new(Vector128.Abs(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> CopySign(V128<T> value, V128<T> sign) => new(Vector128.CopySign(value.v, sign.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128<T> KeepNaN(V128<T> x, V128<T> y) => new(Vector128.ConditionalSelect(Vector128.Equals(x.v, x.v), y.v, x.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> Pow2(V128<T> k) => new(typeof(T) == typeof(float)
        ? Vector128.ShiftLeft(Vector128.ConvertToInt32Native(k.v.AsSingle()) + Vector128.Create(127), 23).As<int, T>()
        : Vector128.ShiftLeft(Vector128.ConvertToInt64Native(k.v.AsDouble()) + Vector128.Create(1023L), 52).As<long, T>());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128<T> ReciprocalF(V128<T> d)
    {
        if (typeof(T) != typeof(float) || !Avx512F.VL.IsSupported) return One / d;
        var x = d.v.AsSingle();
        var r = Avx512F.VL.Reciprocal14(x);
        return new(Vector128.FusedMultiplyAdd(r, Vector128.FusedMultiplyAdd(-x, r, Vector128<float>.One), r).As<float, T>());
    }
}
