/// A recurrent cell defined in F#, not in the library: the minimal gated unit (Zhou et al. 2016), a GRU
/// with a single gate. It is a record of parameters implementing the library's cell interface, so the
/// library unrolls, masks, differentiates, checks and trains it like its own cells.
module AutoGradRnn.FSharp.Tests.MinimalGatedUnit

open AutoGradRnn
open type AutoGradRnn.Ops

/// f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
/// h̃_t = tanh(W_h·[f_t * h_{t-1}, x_t] + b_h)
/// h_t = (1 − f_t) * h_{t-1} + f_t * h̃_t
type Mgu =
    { Wf: Tensor<float>; Bf: Tensor<float>
      Wh: Tensor<float>; Bh: Tensor<float> }

    member m.OutputSize = m.Bf.Shape[0]
    member m.InputSize = m.Wf.Shape[0] - m.OutputSize

    /// One step as a plain F# function: (state, input) -> state.
    static member Step (m: Mgu) (state: RnnState<float>) (x: Tensor<float>) =
        let forgetGate = Sigmoid(MatMul(Concat(state.H, x), m.Wf) + m.Bf)           // f_t
        let candidate = Tanh(MatMul(Concat(forgetGate * state.H, x), m.Wh) + m.Bh)   // h̃_t
        RnnState((1.0 - forgetGate) * state.H + forgetGate * candidate)             // h_t

    interface IRecurrentCell<RnnState<float>, float> with
        member m.InputSize = m.InputSize
        member m.OutputSize = m.OutputSize
        member m.InitialState batch = RnnState(Tensor.Zeros<float>(batch, m.OutputSize))
        member m.Step(state, x) = Mgu.Step m state x
        member _.Output state = state.H

let create (inputSize: int) (hiddenSize: int) (seed: int64) =
    let rng = Rng seed
    let bound = 1.0 / sqrt (float hiddenSize)
    let w () = Tensor.RandomUniform<float>(Shape(hiddenSize + inputSize, hiddenSize), rng, -bound, bound)
    { Wf = w (); Bf = Tensor.Ones<float>(hiddenSize); Wh = w (); Bh = Tensor.Zeros<float>(hiddenSize) }
