using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Function transforms in the JAX style: give a scalar function of a parameter tree, get back a
/// function that returns gradients shaped like the parameters. Each call records on a fresh tape,
/// so transforms are safe to use from several threads at once.
/// </summary>
/// <example>
/// <code>
/// var grad = Autodiff.Grad((Tensor&lt;double&gt; w) => Ops.Sum(w * w));
/// var g = grad(w);   // 2w
/// </code>
/// </example>
public static class Autodiff
{
    /// <summary>∇f: a function returning ∂f/∂p for every tensor leaf p of the tree, in a tree of the same shape.</summary>
    public static Func<TTree, TTree> Grad<TTree, T>(Func<TTree, Tensor<T>> f, bool detectAnomaly = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vg = ValueAndGrad(f, detectAnomaly);
        return p => vg(p).Gradient;
    }

    /// <summary>∇f at <paramref name="parameters"/> directly (the same as <c>Grad(f)(parameters)</c>; reads naturally from F#).</summary>
    public static TTree Grad<TTree, T>(Func<TTree, Tensor<T>> f, TTree parameters, bool detectAnomaly = false)
        where T : unmanaged, IFloatingPointIeee754<T> => ValueAndGrad(f, detectAnomaly)(parameters).Gradient;

    /// <summary>f and ∇f at <paramref name="parameters"/> directly (the same as <c>ValueAndGrad(f)(parameters)</c>).</summary>
    public static (Tensor<T> Value, TTree Gradient) ValueAndGrad<TTree, T>(Func<TTree, Tensor<T>> f, TTree parameters, bool detectAnomaly = false)
        where T : unmanaged, IFloatingPointIeee754<T> => ValueAndGrad(f, detectAnomaly)(parameters);

    /// <summary>A function returning both f(p) (untracked) and ∇f(p) from one forward and one backward pass.</summary>
    public static Func<TTree, (Tensor<T> Value, TTree Gradient)> ValueAndGrad<TTree, T>(Func<TTree, Tensor<T>> f, bool detectAnomaly = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(f);
        return p =>
        {
            var (value, grad, _) = Run(p, q => (f(q), 0), detectAnomaly);
            return (value, grad);
        };
    }

    /// <summary>
    /// Like <see cref="ValueAndGrad{TTree, T}(Func{TTree, Tensor{T}}, bool)"/> for a function that also returns auxiliary data (JAX's
    /// <c>has_aux</c>), e.g. the final recurrent state to carry into the next batch. Tensors in the
    /// auxiliary data are returned as recorded; detach them before reuse.
    /// </summary>
    public static Func<TTree, (Tensor<T> Value, TTree Gradient, TAux Aux)> ValueAndGradWithAux<TTree, T, TAux>(
        Func<TTree, (Tensor<T> Value, TAux Aux)> f, bool detectAnomaly = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(f);
        return p => Run(p, f, detectAnomaly);
    }

    private static (Tensor<T> Value, TTree Gradient, TAux Aux) Run<TTree, T, TAux>(TTree p, Func<TTree, (Tensor<T>, TAux)> f, bool detectAnomaly)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(p);
        var tape = new Tape<T>(detectAnomaly) { SingleBackward = true };
        try
        {
            var tracked = ParameterTree<T>.Map(p, tape.Track);
            var (y, aux) = f(tracked);
            ArgumentNullException.ThrowIfNull(y, "f(p)");
            if (y.Count != 1) throw new ShapeMismatchException("grad", $"the function must return a scalar, but returned {y.Count} elements", y.Shape);
            if (!y.IsTracked) return (y, ParameterTree<T>.Map(p, x => Tensor.Zeros<T>(x.Shape)), aux); // f does not depend on p
            var grads = tape.Backward(y);
            return (y.Detach(), ParameterTree<T>.Map(tracked, x => grads[x]), aux);
        }
        finally
        {
            tape.Release();   // nobody can reach this tape again: its ops' pooled buffers go back now, on this thread
        }
    }
}
