module AutoGradRnn.FSharp.Tests.CustomCellTests

open Xunit
open FsCheck.Xunit
open AutoGradRnn
open type AutoGradRnn.Ops
open AutoGradRnn.FSharp.Tests.Generators
open AutoGradRnn.FSharp.Tests.MinimalGatedUnit

let inputs (p: Problem) = Tensor.RandomNormal<float>(Shape(p.Batch, p.Time, p.Input), p.Seed + 1L)

/// A loss over every output and the final state, with fixed random weights so nothing cancels.
let lossOf (p: Problem) (cell: Mgu) (h0: Tensor<float>) (x: Tensor<float>) =
    let result = Sequence.Unroll(cell, x, RnnState h0)
    Sum(result.Outputs * Tensor.RandomNormal<float>(result.Outputs.Shape, p.Seed + 2L)) + Sum(Square result.Final.H)

[<Property(MaxTest = 15, Arbitrary = [| typeof<Problems> |])>]
let ``the F# cell gradchecks through whole unrolled sequences (property)`` (p: Problem) =
    let cell = create p.Input p.Hidden p.Seed
    let h0 = Tensor.RandomNormal<float>(Shape(p.Batch, p.Hidden), p.Seed + 3L, std = 0.5)
    let report = GradCheck.Check((fun (c: Mgu, h: Tensor<float>, x: Tensor<float>) -> lossOf p c h x), (cell, h0, inputs p))
    if not report.Passed then failwith report.Report

[<Property(MaxTest = 20, Arbitrary = [| typeof<Problems> |])>]
let ``the library's unroll and a plain F# scan give the same states`` (p: Problem) =
    let cell = create p.Input p.Hidden p.Seed
    let x = inputs p
    let viaLibrary = Sequence.Unroll(cell, x)
    let viaScan =
        Unstack(x, 1) |> Array.scan (Mgu.Step cell) ((cell :> IRecurrentCell<_, _>).InitialState p.Batch) |> Array.last
    viaLibrary.Final.H.AllClose(viaScan.H, 1e-12, 1e-14)

[<Property(MaxTest = 10, Arbitrary = [| typeof<Problems> |])>]
let ``a masked unroll needs no initial state, and a bidirectional unroll takes inputs, states, then the mask`` (p: Problem) =
    // Compiles from F# without type annotations: UnrollMasked is a name of its own, not an Unroll overload to pick from.
    let cell = create p.Input p.Hidden p.Seed
    let x = inputs p
    let mask = Sequence.MaskFromLengths<float>(Array.init p.Batch (fun b -> 1 + b % p.Time), p.Time)
    let zero = (cell :> IRecurrentCell<_, _>).InitialState p.Batch
    let fromZero = Sequence.UnrollMasked(cell, x, mask)
    let explicitZero = Sequence.Unroll(cell, x, zero, mask)
    let bi = Bidirectional<RnnState<float>, float>(cell, create p.Input p.Hidden (p.Seed + 1L))
    fromZero.Final.H.AllClose(explicitZero.Final.H, 0.0, 0.0)
    && bi.Unroll(x, zero, zero, mask).Outputs.AllClose(bi.Unroll(x, mask).Outputs, 0.0, 0.0)
    && bi.Unroll(x, zero, zero).Outputs.AllClose(bi.Unroll(x).Outputs, 0.0, 0.0)

[<Fact>]
let ``the F# cell trains with the library's optimizer and trainer`` () =
    // Predict the running mean of a random sequence: a task a gated cell learns in a few dozen steps.
    let rng = Rng 7L
    let makeBatch () =
        let xs = Array.init (8 * 10) (fun _ -> rng.NextDouble() * 2.0 - 1.0)
        let means = Array.init (8 * 10) (fun i -> let b, t = i / 10, i % 10 in Array.average xs[b * 10 .. b * 10 + t])
        Tensor.FromArray(xs, 8, 10, 1), Tensor.FromArray(means, 8, 10, 1)
    let batches = List.init 8 (fun _ -> makeBatch ())
    let model = create 1 8 3L, Linear<float>.Create(8, 1, 4L)
    let loss (cell: Mgu, head: Linear<float>) (x: Tensor<float>, y: Tensor<float>) =
        MeanSquaredError(head.Apply(Sequence.Unroll(cell, x).Outputs), y)
    let adam = Adam<float>(Schedule.Constant 0.03)
    let mutable p = model
    let mutable state = adam.Init p
    let first = batches |> List.averageBy (fun b -> (loss p b).ToScalar())
    for _ in 1 .. 8 do
        for b in batches do
            let grads = Autodiff.Grad((fun q -> loss q b), p)
            let struct (next, s) = adam.Update(p, grads, state)
            p <- next
            state <- s
    let last = batches |> List.averageBy (fun b -> (loss p b).ToScalar())
    Assert.True(last < first / 4.0, sprintf "loss %f -> %f" first last)
