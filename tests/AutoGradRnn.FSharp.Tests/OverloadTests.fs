/// Calls whose arguments F# has not typed yet (a fold's state, an unannotated parameter). These tests are compile
/// tests first: each call here failed to compile (FS0041, FS0193) while an overload set differed only by the type
/// of an argument in the same position; the assertions then check that the call did what it says.
module AutoGradRnn.FSharp.Tests.OverloadTests

open Xunit
open AutoGradRnn
open type AutoGradRnn.Ops

type Dense = { W: Tensor<float>; B: Tensor<float> }

let x = Tensor.FromRows([| 1.0; 2.0; 3.0 |], [| 0.5; -1.0; 0.0 |])
let loss (p: Dense) = Mean(Square(Tanh(MatMul(x, p.W) + p.B)))
let dense = { W = Tensor.RandomNormal<float>(Shape(3, 2), 1L); B = Tensor.Zeros<float>(2) }

[<Fact>]
let ``ValueAndGrad and Grad take an unannotated fold state`` () =
    let step p _ =
        let struct (_, g) = Autodiff.ValueAndGrad(loss, p)      // p is not annotated
        ParameterTree<float>.Map2(p, g, fun w dw -> w - 0.5 * dw)
    let trained = List.fold step dense [ 1..20 ]
    Assert.True(loss(trained).ToScalar() < loss(dense).ToScalar())
    let viaGrad = List.fold (fun p _ -> ParameterTree<float>.Map2(p, Autodiff.Grad(loss, p), fun w dw -> w - 0.5 * dw)) dense [ 1..20 ]
    Assert.Equal<float>(trained.W.ToArray(), viaGrad.W.ToArray())

[<Fact>]
let ``the seeded random factories take an unannotated seed`` () =
    let uniform seed = Tensor.RandomUniform<float>(Shape(4, 3), seed)
    let normal seed = Tensor.RandomNormal<float>(Shape(4, 3), seed, std = 2.0)
    Assert.Equal<float>(uniform 7L |> _.ToArray(), (Rng 7L).Uniform<float>(Shape(4, 3)).ToArray())
    Assert.Equal<float>(normal 7L |> _.ToArray(), (Rng 7L).Normal<float>(Shape(4, 3), std = 2.0).ToArray())
    Assert.True(uniform 7L |> _.ToArray() |> Array.forall (fun v -> v >= 0.0 && v < 1.0))
    Assert.NotEqual<float>(uniform 7L |> _.ToArray(), uniform 8L |> _.ToArray())

[<Fact>]
let ``anomaly detection is a separate entry point with options`` () =
    let transforms = Autodiff.With(AutodiffOptions(DetectAnomaly = true))
    Assert.Throws<AnomalyException>(fun () -> transforms.Grad((fun t -> Sum(Sqrt t)), Tensor.FromArray([| -1.0; 4.0 |])) |> ignore) |> ignore
    let p = dense
    let struct (value, grads) = transforms.ValueAndGrad(loss, p)
    let struct (value0, grads0) = Autodiff.ValueAndGrad(loss, p)
    Assert.Equal(value0.ToScalar(), value.ToScalar())
    Assert.Equal<float>(grads0.W.ToArray(), grads.W.ToArray())

/// A record generic over the element type, with the constraints as docs/fsharp.md spells them (fsi cannot emit it).
type Gate<'T when 'T : unmanaged and 'T : struct and 'T : (new: unit -> 'T) and 'T :> System.ValueType
                and 'T :> System.Numerics.IFloatingPointIeee754<'T>> =
    { W: Tensor<'T>; B: Tensor<'T> }
    member g.Apply(x: Tensor<'T>) = Sigmoid(MatMul(x, g.W) + g.B)

/// An inline function needs no constraints written: they are inferred (without `inline`, the tensor operators would fix
/// the element type at the first use).
let inline combine (z: Tensor<_>) h candidate = OneMinus(z) * h + z * candidate

[<Fact>]
let ``a generic record and an inferred generic function work for both element types`` () =
    let g32 = { W = Tensor.Zeros<float32>(3, 2); B = Tensor.Zeros<float32>(2) }
    let g64 = { W = Tensor.Zeros<float>(3, 2); B = Tensor.Zeros<float>(2) }
    Assert.Equal<float32>([| 0.5f; 0.5f |], g32.Apply(Tensor.Ones<float32>(1, 3)).ToArray())
    Assert.Equal<float>([| 0.5; 0.5 |], g64.Apply(Tensor.Ones<float>(1, 3)).ToArray())
    Assert.Equal<float32>([| 2.5f |], (combine (Tensor.FromArray [| 0.25f |]) (Tensor.FromArray [| 2.0f |]) (Tensor.FromArray [| 4.0f |])).ToArray())
    Assert.Equal<float>([| 2.5 |], (combine (Tensor.FromArray [| 0.25 |]) (Tensor.FromArray [| 2.0 |]) (Tensor.FromArray [| 4.0 |])).ToArray())

[<Fact>]
let ``OneMinus is the gate complement`` () =
    let z = Tensor.FromArray([| 0.25f; 1.0f; -2.0f |])
    Assert.Equal<float32>([| 0.75f; 0.0f; 3.0f |], OneMinus(z).ToArray())
    // and differentiates to −1
    let g = Autodiff.Grad((fun t -> Sum(OneMinus t)), Tensor.FromArray([| 0.5; 2.0 |]))
    Assert.Equal<float>([| -1.0; -1.0 |], g.ToArray())

[<Fact>]
let ``a float32 cell model converted to float64 passes GradCheck and converts back bit-exactly`` () =
    let model32 = Lstm<float32>.Create(inputSize = 3, hiddenSize = 4, seed = 5L)
    let model64 = ParameterTree.Convert<float32, float, Lstm<float>>(model32, Lstm<float>.Create(3, 4, 0L))
    let inputs = Tensor.RandomNormal<float>(Shape(2, 5, 3), 6L)
    let report = GradCheck.Check((fun (m: Lstm<float>) -> Sum(Square(Sequence.Unroll(m, inputs).Final.H))), model64)
    Assert.True(report.Passed, report.Report)
    Assert.Equal<float>(model64.Wf.ToArray(), model32.Wf.ToArray() |> Array.map float)
    let back = ParameterTree.Convert<float, float32, Lstm<float32>>(model64, Lstm<float32>.Create(3, 4, 0L))
    for a, b in Seq.zip (ParameterTree<float32>.Flatten model32) (ParameterTree<float32>.Flatten back) do
        Assert.Equal(a.Name, b.Name)
        Assert.Equal<int>(a.Value.ToArray() |> Array.map System.BitConverter.SingleToInt32Bits,
                          b.Value.ToArray() |> Array.map System.BitConverter.SingleToInt32Bits)

[<Fact>]
let ``Convert refuses a template of another structure`` () =
    let model32 = Lstm<float32>.Create(3, 4, 5L)
    Assert.Throws<ShapeMismatchException>(fun () -> ParameterTree.Convert<float32, float, Lstm<float>>(model32, Lstm<float>.Create(3, 5, 0L)) |> ignore) |> ignore
