using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Helpers for the cell tests. The gradchecks of every cell (unrolled over a whole sequence into a scalar loss, with
/// respect to its parameters, the initial state and the inputs) are cases of the registry <see cref="GradCheckSuite.Cases"/>,
/// run over random sizes by <see cref="GradCheckRegistryTests"/>.
/// </summary>
public static class CellGradientTests
{
    /// <summary>A loss touching every output and every leaf of the final state, with random weights so nothing cancels.</summary>
    internal static Tensor<double> Loss<TState>(SequenceResult<TState, double> r, long seed)
    {
        var loss = Sum(r.Outputs * Tensor.RandomNormal<double>(r.Outputs.Shape, seed));
        foreach (var (leaf, k) in ParameterTree<double>.Leaves(r.Final!).Select((l, k) => (l, k)))
            loss += Sum(leaf * Tensor.RandomNormal<double>(leaf.Shape, seed + 1 + k));
        return loss;
    }

    internal static TState RandomState<TState>(IRecurrentCell<TState, double> cell, int batch, long seed) =>
        ParameterTree<double>.Map(cell.InitialState(batch), z => Tensor.RandomNormal<double>(z.Shape, seed++, std: 0.5));
}
