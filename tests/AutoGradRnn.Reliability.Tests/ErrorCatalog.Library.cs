using static AutoGradRnn.Ops;

namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    private sealed record DictionaryModel(Tensor<float> W, Dictionary<string, Tensor<float>> Weights);

    private sealed record FieldModel(Tensor<float> W)
    {
        public Tensor<float> Extra = Tensor.Zeros<float>(1);
    }

    private static readonly Lstm<float> Lstm34 = Lstm<float>.Create(3, 4, 1);

    /// <summary>E130–E139: library checks (parameter trees, cell states, metrics).</summary>
    private static IReadOnlyList<ErrorCase> LibraryCases { get; } =
    [
        new("E130", "trees", "grad over a record holding a Dictionary<string, Tensor>", typeof(UnsupportedTreeNodeException),
            _ => Autodiff.Grad((DictionaryModel m) => Sum(m.W * m.Weights["w"]))(new DictionaryModel(Tensor.Ones<float>(1), new() { ["w"] = Tensor.Ones<float>(1) }))),
        new("E131", "trees", "a checkpoint of a record with a public tensor field", typeof(UnsupportedTreeNodeException),
            d => Checkpoint<float>.Save(d.File("m.safetensors"), new FieldModel(Tensor.Ones<float>(1)))),
        new("E132", "trees", "unflatten with fewer leaves than the tree", typeof(ShapeMismatchException), _ => ParameterTree<float>.Unflatten(Lstm34, [Lstm34.Wf])),
        new("E133", "cells", "an LSTM step whose C₀ is [1, H] for a batch of 2 (h is right)", typeof(ShapeMismatchException),
            _ => Lstm34.Step(new LstmState<float>(Tensor.Zeros<float>(2, 4), Tensor.Zeros<float>(1, 4)), Tensor.Zeros<float>(2, 3))),
        new("E134", "cells", "a stacked unroll whose second layer's C₀ is too wide", typeof(ShapeMismatchException), _ =>
        {
            var stack = Stacked<LstmState<float>, float>.Of(Lstm34, Lstm<float>.Create(4, 4, 2));
            Sequence.Unroll(stack, Tensor.Zeros<float>(2, 5, 3), [Lstm34.InitialState(2), new LstmState<float>(Tensor.Zeros<float>(2, 4), Tensor.Zeros<float>(2, 5))]);
        }),
        new("E135", "cells", "a stacked step with one layer state for two layers", typeof(ShapeMismatchException),
            _ => Stacked<LstmState<float>, float>.Of(Lstm34, Lstm<float>.Create(4, 4, 2)).Step([Lstm34.InitialState(2)], Tensor.Zeros<float>(2, 3))),
        new("E136", "cells", "a cell built with a null weight (lstm with { Wf = null })", typeof(ArgumentNullException),
            _ => Sequence.Unroll(Lstm34 with { Wf = null! }, Tensor.Zeros<float>(2, 5, 3))),
        new("E137", "cells", "a stack of no layers built with new", typeof(ArgumentOutOfRangeException),
            _ => Sequence.Unroll(new Stacked<LstmState<float>, float>([]), Tensor.Zeros<float>(2, 5, 3))),
        new("E138", "metrics", "RMSE of 2 predictions against 3 actual values", typeof(ShapeMismatchException), _ => Metrics.Rmse([1, 2], [1, 2, 3])),
        new("E139", "tensors", "a tensor index outside the shape", typeof(ArgumentOutOfRangeException), _ => { var v = Tensor.Zeros<float>(2, 3)[2, 0]; }),
    ];
}
