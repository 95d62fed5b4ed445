// A tour of AutoGradRnn from F#: the essay's LSTM equations as code, differentiated by the tape,
// trained with plain gradient descent to predict the next value of a sine wave.
// Run through `dotnet fsi docs.fsx`, which builds the library first.
#r "../src/AutoGradRnn/bin/Release/net10.0/AutoGradRnn.dll"
#r "../src/AutoGradRnn/bin/Release/net10.0/System.Numerics.Tensors.dll"

open AutoGradRnn
open type AutoGradRnn.Ops

/// One weight matrix per gate over [h_{t-1}, x_t], as the essay writes them.
type LstmParams =
    { Wf: Tensor<float>; Bf: Tensor<float>
      Wi: Tensor<float>; Bi: Tensor<float>
      Wc: Tensor<float>; Bc: Tensor<float>
      Wo: Tensor<float>; Bo: Tensor<float>
      Wy: Tensor<float>; By: Tensor<float> }

let hidden, inputSize, batch, steps = 16, 1, 16, 24

let init seed =
    let rng = Rng(seed)
    let w rows cols = rng.Uniform<float>(Shape(rows, cols), -0.3, 0.3)
    let b size value = Tensor.Fill<float>(value, [| size |])
    { Wf = w (hidden + inputSize) hidden; Bf = b hidden 1.0   // forget-gate bias 1: remember by default
      Wi = w (hidden + inputSize) hidden; Bi = b hidden 0.0
      Wc = w (hidden + inputSize) hidden; Bc = b hidden 0.0
      Wo = w (hidden + inputSize) hidden; Bo = b hidden 0.0
      Wy = w hidden 1; By = b 1 0.0 }

/// One step of the essay's LSTM: (h, C) and x_t in, (h, C) out.
let lstmStep (p: LstmParams) (h: Tensor<float>, c: Tensor<float>) (x: Tensor<float>) =
    let hx = Concat(h, x)                                       // [h_{t-1}, x_t]
    let forgetGate = Sigmoid(MatMul(hx, p.Wf) + p.Bf)           // f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
    let inputGate = Sigmoid(MatMul(hx, p.Wi) + p.Bi)            // i_t = σ(W_i·[h_{t-1}, x_t] + b_i)
    let candidate = Tanh(MatMul(hx, p.Wc) + p.Bc)               // C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
    let cellState = forgetGate * c + inputGate * candidate      // C_t = f_t*C_{t-1} + i_t*C̃_t
    let outputGate = Sigmoid(MatMul(hx, p.Wo) + p.Bo)           // o_t = σ(W_o·[h_{t-1}, x_t] + b_o)
    let hiddenState = outputGate * Tanh(cellState)              // h_t = o_t*tanh(C_t)
    hiddenState, cellState

/// A batch of sine waves with random phases: inputs x_0..x_{T-1}, targets x_1..x_T.
let sineBatch (rng: Rng) =
    let phases = Array.init batch (fun _ -> rng.NextDouble() * 2.0 * System.Math.PI)
    let value b t = sin (phases[b] + 0.3 * float t)
    let column t = Tensor.FromArray(Array.init batch (fun b -> value b t), batch, 1)
    Array.init steps column, Array.init steps (fun t -> column (t + 1))

/// Mean squared error of one-step-ahead predictions over the unrolled sequence.
let loss (xs: Tensor<float>[], ys: Tensor<float>[]) (p: LstmParams) =
    let zeros = Tensor.Zeros<float>(batch, hidden)
    let states = xs |> Array.scan (lstmStep p) (zeros, zeros) |> Array.tail
    let predictions = states |> Array.map (fun (h, _) -> MatMul(h, p.Wy) + p.By)
    MeanSquaredError(Stack(predictions), Stack(ys))

let rng = Rng(7L)
let learningRate = 0.5
let mutable p = init 42L
printfn "Training an LSTM (hidden %d) on sine waves, %d steps per sequence, batch %d" hidden steps batch
for step in 0 .. 300 do
    let data = sineBatch rng
    let struct (value, grads) = Autodiff.ValueAndGrad(loss data).Invoke p
    p <- ParameterTree<float>.Map2(p, grads, fun w g -> w - learningRate * g)
    if step % 50 = 0 then printfn "step %4d  loss %.5f" step (value.ToScalar())

// The tape checks itself: the analytic gradient of this very loss against central finite differences
// along random directions (float64, as PyTorch's gradcheck insists).
let check = GradCheck.Check(loss (sineBatch (Rng 1L)), p, GradCheckOptions(Mode = GradCheckMode.Directional))
printfn "%s" check.Report
if not check.Passed then exit 1
