module AutoGradRnn.FSharp.Tests.TensorTests

open Xunit
open AutoGradRnn
open type AutoGradRnn.Ops

[<Fact>]
let ``tensor arithmetic reads like math with F# operators`` () =
    let a = Tensor.FromRows([| 1.0; 2.0 |], [| 3.0; 4.0 |])
    let b = Tensor.FromArray([| 10.0; 20.0 |])                    // a bias row, broadcast over the rows
    let y = (a + b) * 2.0 - 1.0
    Assert.Equal<float>([| 21.0; 43.0; 25.0; 47.0 |], y.ToArray())
    Assert.Equal<float>([| 0.5; 0.5 |], (1.0 - Sigmoid(Tensor.Zeros<float>(2))).ToArray())
    Assert.Equal<Shape>(Shape(2, 2), MatMul(a, a, transposeB = true).Shape)
    Assert.Equal(30.0, (Sum(a * a)).ToScalar())

[<Fact>]
let ``shape errors are exceptions with the shapes in the message`` () =
    let e = Assert.Throws<ShapeMismatchException>(fun () -> MatMul(Tensor.Zeros<float>(2, 3), Tensor.Zeros<float>(4, 5)) |> ignore)
    Assert.Equal("matmul: [2,3] x [4,5]: inner dimensions 3 and 4 differ", e.Message)

[<Fact>]
let ``float32 and float64 both work`` () =
    let x32 = Tensor.FromArray([| 1.0f; -1.0f |])
    Assert.Equal<float32>([| 0.7615942f; -0.7615942f |], (Tanh x32).ToArray())
