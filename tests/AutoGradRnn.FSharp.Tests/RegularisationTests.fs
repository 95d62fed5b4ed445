/// Dropout, variational dropout and zoneout from F#: the setting is a record built with property setters, training takes
/// a generator and evaluation none (no nulls), and the masks come from a pure (seed, step, index) stream.
module AutoGradRnn.FSharp.Tests.RegularisationTests

open Xunit
open AutoGradRnn

let stack = Stacked<LstmState<float32>, float32>.Of(Lstm<float32>.Create(3, 6, 1L), Lstm<float32>.Create(6, 4, 2L))
let x = Tensor.RandomNormal<float32>(Shape(2, 5, 3), 3L)

[<Fact>]
let ``training is reproducible from the seed and evaluation is zoneout's expectation`` () =
    let regularisation = RecurrentRegularisation(Dropout = 0.2, Variational = 0.1, Zoneout = 0.1)
    let train step = regularisation.TrainStack(stack, x, stack.InitialState 2, DropoutMasks.Stream(42L, step, 0L)).Outputs.ToArray()
    Assert.Equal<float32>(train 0L, train 0L)
    Assert.NotEqual<float32>(train 0L, train 1L)
    let eval = regularisation.EvaluateStack(stack, x, stack.InitialState 2)
    // The sampler's view: each layer's evaluation cell stepped one character at a time gives the same outputs.
    let layers = stack.Layers |> Array.map regularisation.EvaluationCell
    let stepped = Sequence.Unroll(Stacked<LstmState<float32>, float32>(layers), x, stack.InitialState 2)
    Assert.Equal<float32>(eval.Outputs.ToArray(), stepped.Outputs.ToArray())
    // With nothing set it is the plain unroll.
    let plain = RecurrentRegularisation.None.EvaluateStack(stack, x, stack.InitialState 2)
    Assert.Equal<float32>(Sequence.Unroll(stack, x, stack.InitialState 2).Outputs.ToArray(), plain.Outputs.ToArray())
