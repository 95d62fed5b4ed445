/// ONNX export from F#: the options are a record built with property setters, the export takes no nulls, and ONNX
/// Runtime (with no reference to this library in the running code) computes what the network computes.
module AutoGradRnn.FSharp.Tests.OnnxExportTests

open System.Collections.Generic
open Xunit
open Microsoft.ML.OnnxRuntime
open Microsoft.ML.OnnxRuntime.Tensors
open AutoGradRnn

[<Fact>]
let ``a bidirectional two-layer GRU with a head runs in ONNX Runtime as it runs here`` () =
    let net = RecurrentLayers.Create(3, 5, 2, true, (fun d h s -> GruResetAfter<float32>.Create(d, h, s) :> IRecurrentCell<_, _>), 11L, 4)
    let model = OnnxExport.Network(net, OnnxExportOptions(SequenceLengths = true, Metadata = readOnlyDict [ "made by", "F#" ]))
    let x = Tensor.RandomNormal<float32>(Shape(2, 6, 3), 5L)
    let lengths = [| 6; 3 |]
    let ours = net.Apply(x, Sequence.MaskFromLengths<float32>(lengths, 6)).ToArray()
    use session = new InferenceSession(model)
    Assert.Equal("F#", session.ModelMetadata.CustomMetadataMap.["made by"])
    let inputs =
        [ NamedOnnxValue.CreateFromTensor("input", DenseTensor<float32>(x.ToArray(), [| 2; 6; 3 |]))
          NamedOnnxValue.CreateFromTensor("sequence_lens", DenseTensor<int>(lengths, [| 2 |])) ]
    use results = session.Run(List<NamedOnnxValue>(inputs))
    let theirs = (results |> Seq.find (fun r -> r.Name = "output")).AsTensor<float32>() |> Seq.toArray
    Assert.Equal(ours.Length, theirs.Length)
    Array.iter2 (fun (a: float32) (b: float32) -> Assert.InRange(abs (a - b), 0.0f, 1e-5f)) ours theirs
