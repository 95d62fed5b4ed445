module AutoGradRnn.FSharp.Tests.GradTests

open Xunit
open AutoGradRnn
open type AutoGradRnn.Ops

/// An F# record of parameters is a parameter tree: its gradient comes back as the same record.
type Dense = { W: Tensor<float>; B: Tensor<float> }

let x = Tensor.FromRows([| 1.0; 2.0; 3.0 |], [| 0.5; -1.0; 0.0 |])
let loss (p: Dense) = Mean(Square(Tanh(MatMul(x, p.W) + p.B)))
let dense = { W = Tensor.RandomNormal<float>(Shape(3, 2), 1L); B = Tensor.Zeros<float>(2) }

[<Fact>]
let ``Grad and ValueAndGrad take an F# lambda over a record and return a record`` () =
    let struct (value, grads) = Autodiff.ValueAndGrad(loss, dense)
    Assert.Equal(loss(dense).ToScalar(), value.ToScalar(), 12)
    Assert.Equal<Shape>(dense.W.Shape, grads.W.Shape)
    let g2 = Autodiff.Grad((fun p -> loss p), dense)
    Assert.Equal<float>(grads.B.ToArray(), g2.B.ToArray())
    // the curried form works too: a function from parameters to gradients
    let grad = Autodiff.Grad(loss)
    Assert.Equal<float>(grads.W.ToArray(), (grad.Invoke dense).W.ToArray())

[<Fact>]
let ``the gradient of the F# record passes gradcheck`` () =
    let report = GradCheck.Check(loss, dense)
    Assert.True(report.Passed, report.Report)

[<Fact>]
let ``tuples of tensors are trees too`` () =
    let struct (_, (ga, gb)) = Autodiff.ValueAndGrad((fun (a: Tensor<float>, b: Tensor<float>) -> Sum(a * b)), (Tensor.FromArray([| 2.0 |]), Tensor.FromArray([| 5.0 |])))
    Assert.Equal(5.0, ga.ToScalar())
    Assert.Equal(2.0, gb.ToScalar())

[<Fact>]
let ``an optimizer step maps one record to the next`` () =
    let adam = Adam<float>(Schedule.Constant 0.1)
    let state0 = adam.Init dense
    let struct (p1, state1) = adam.Update(dense, Autodiff.Grad(loss, dense), state0)
    Assert.Equal(1L, state1.Step)
    Assert.True(loss(p1).ToScalar() < loss(dense).ToScalar())

/// x³ as a custom op: the backward rule is an F# lambda from the context to all input gradients.
let cube (x: Tensor<float>) =
    let y = x.Detach() * x.Detach() * x.Detach()
    Custom("cube", y, [| x |], fun c -> [| c.Gradient * x.Detach() * x.Detach() * 3.0 |])

[<Fact>]
let ``a custom op with an F# backward rule gradchecks, and so does a two-output one`` () =
    let v = Tensor.FromArray([| 0.5; -1.5; 2.0 |])
    let report = GradCheck.Check((fun t -> Sum(cube t)), v)
    Assert.True(report.Passed, report.Report)
    // (x², x³) as one node; its rule reads both output gradients (null for an unused output).
    let powers (x: Tensor<float>) =
        let d = x.Detach()
        CustomMany("powers", [| d * d; d * d * d |], [| x |], fun c ->
            let part (o: int) (dydx: Tensor<float>) = match c.OutputGradients[o] with null -> Tensor.Zeros<float>(x.Shape) | g -> g * dydx
            [| part 0 (d * 2.0) + part 1 (d * d * 3.0) |])
    let both = GradCheck.Check((fun t -> let p = powers t in Sum(p[0]) + Sum(Tanh p[1])), v)
    Assert.True(both.Passed, both.Report)
    let one = GradCheck.Check((fun t -> let p = powers t in Sum(Tanh p[1])), v)
    Assert.True(one.Passed, one.Report)
