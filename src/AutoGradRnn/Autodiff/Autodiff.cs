using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Function transforms in the JAX style: give a scalar function of a parameter tree, get back a
/// function that returns gradients shaped like the parameters. Each call records on a fresh tape,
/// so transforms are safe to use from several threads at once.
/// </summary>
/// <remarks>
/// Every overload set here differs by arity only, never by the type of an argument in the same position, so F#
/// resolves a call whose arguments are not yet annotated (a fold's state, a lambda's parameter). Anomaly detection
/// is therefore not an optional <c>bool</c> but a separate entry point: <see cref="With"/>.
/// </remarks>
/// <example>
/// <code>
/// var grad = Autodiff.Grad((Tensor&lt;double&gt; w) => Ops.Sum(w * w));
/// var g = grad(w);   // 2w
/// var checkedGrad = Autodiff.With(new AutodiffOptions { DetectAnomaly = true }).Grad((Tensor&lt;double&gt; w) => Ops.Sum(w * w));
/// </code>
/// </example>
public static class Autodiff
{
    /// <summary>The transforms with <paramref name="options"/> (e.g. anomaly detection): the same methods as <see cref="Autodiff"/>'s.</summary>
    public static AutodiffTransforms With(AutodiffOptions options) => new(options);

    /// <summary>∇f: a function returning ∂f/∂p for every tensor leaf p of the tree, in a tree of the same shape.</summary>
    public static Func<TTree, TTree> Grad<TTree, T>(Func<TTree, Tensor<T>> f)
        where T : unmanaged, IFloatingPointIeee754<T> => AutodiffTransforms.Default.Grad(f);

    /// <summary>∇f at <paramref name="parameters"/> directly (the same as <c>Grad(f)(parameters)</c>; reads naturally from F#).</summary>
    public static TTree Grad<TTree, T>(Func<TTree, Tensor<T>> f, TTree parameters)
        where T : unmanaged, IFloatingPointIeee754<T> => AutodiffTransforms.Default.Grad(f, parameters);

    /// <summary>f and ∇f at <paramref name="parameters"/> directly (the same as <c>ValueAndGrad(f)(parameters)</c>).</summary>
    public static (Tensor<T> Value, TTree Gradient) ValueAndGrad<TTree, T>(Func<TTree, Tensor<T>> f, TTree parameters)
        where T : unmanaged, IFloatingPointIeee754<T> => AutodiffTransforms.Default.ValueAndGrad(f, parameters);

    /// <summary>A function returning both f(p) (untracked) and ∇f(p) from one forward and one backward pass.</summary>
    public static Func<TTree, (Tensor<T> Value, TTree Gradient)> ValueAndGrad<TTree, T>(Func<TTree, Tensor<T>> f)
        where T : unmanaged, IFloatingPointIeee754<T> => AutodiffTransforms.Default.ValueAndGrad(f);

    /// <summary>
    /// Like <see cref="ValueAndGrad{TTree, T}(Func{TTree, Tensor{T}})"/> for a function that also returns auxiliary data (JAX's
    /// <c>has_aux</c>), e.g. the final recurrent state to carry into the next batch. Tensors in the
    /// auxiliary data are returned as recorded; detach them before reuse.
    /// </summary>
    public static Func<TTree, (Tensor<T> Value, TTree Gradient, TAux Aux)> ValueAndGradWithAux<TTree, T, TAux>(
        Func<TTree, (Tensor<T> Value, TAux Aux)> f)
        where T : unmanaged, IFloatingPointIeee754<T> => AutodiffTransforms.Default.ValueAndGradWithAux(f);
}

/// <summary>Options of the <see cref="Autodiff"/> transforms, given to <see cref="Autodiff.With"/>.</summary>
public sealed record AutodiffOptions
{
    /// <summary>
    /// Anomaly mode: throw <see cref="AnomalyException"/> at the first op whose forward or backward produces NaN or Inf,
    /// naming the op and its input shapes (slower; for debugging).
    /// </summary>
    public bool DetectAnomaly { get; init; }
}

/// <summary>
/// The <see cref="Autodiff"/> transforms under fixed <see cref="AutodiffOptions"/> (from <see cref="Autodiff.With"/>).
/// Immutable, so one instance may be shared across threads.
/// </summary>
public sealed class AutodiffTransforms
{
    internal static readonly AutodiffTransforms Default = new(new AutodiffOptions());

    internal AutodiffTransforms(AutodiffOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The options every transform of this instance runs with.</summary>
    public AutodiffOptions Options { get; }

    /// <summary>∇f: a function returning ∂f/∂p for every tensor leaf p of the tree, in a tree of the same shape.</summary>
    public Func<TTree, TTree> Grad<TTree, T>(Func<TTree, Tensor<T>> f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vg = ValueAndGrad(f);
        return p => vg(p).Gradient;
    }

    /// <summary>∇f at <paramref name="parameters"/> directly (the same as <c>Grad(f)(parameters)</c>).</summary>
    public TTree Grad<TTree, T>(Func<TTree, Tensor<T>> f, TTree parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return ValueAndGrad(f)(parameters).Gradient;
    }

    /// <summary>f and ∇f at <paramref name="parameters"/> directly (the same as <c>ValueAndGrad(f)(parameters)</c>).</summary>
    public (Tensor<T> Value, TTree Gradient) ValueAndGrad<TTree, T>(Func<TTree, Tensor<T>> f, TTree parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return ValueAndGrad(f)(parameters);
    }

    /// <summary>A function returning both f(p) (untracked) and ∇f(p) from one forward and one backward pass.</summary>
    public Func<TTree, (Tensor<T> Value, TTree Gradient)> ValueAndGrad<TTree, T>(Func<TTree, Tensor<T>> f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(f);
        return p =>
        {
            var (value, grad, _) = Run(p, q => (f(q), 0));
            return (value, grad);
        };
    }

    /// <summary>f, ∇f and f's auxiliary data (see <see cref="Autodiff.ValueAndGradWithAux{TTree, T, TAux}"/>).</summary>
    public Func<TTree, (Tensor<T> Value, TTree Gradient, TAux Aux)> ValueAndGradWithAux<TTree, T, TAux>(
        Func<TTree, (Tensor<T> Value, TAux Aux)> f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(f);
        return p => Run(p, f);
    }

    private (Tensor<T> Value, TTree Gradient, TAux Aux) Run<TTree, T, TAux>(TTree p, Func<TTree, (Tensor<T>, TAux)> f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(p);
        var tape = new Tape<T>(Options.DetectAnomaly) { SingleBackward = true };
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
