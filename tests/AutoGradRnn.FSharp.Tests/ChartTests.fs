module AutoGradRnn.FSharp.Tests.ChartTests

open Xunit
open AutoGradRnn
open AutoGradRnn.Display
open Plotly.NET
open Microsoft.DotNet.Interactive.Formatting

[<Fact>]
let ``charts from F#: the library's helpers and Plotly.NET's own pipeline compose`` () =
    let hidden = Tensor.RandomNormal<float>(Shape(3, 5), 1L)
    let heat =
        Plot.Heatmap(hidden, rowLabels = [ for j in 0 .. 2 -> sprintf "h%d" j ])
        |> Chart.withTitle "hidden units"
        |> Chart.withXAxisStyle (TitleText = "time step")
    let line =
        Chart.Line(x = [ 1 .. 4 ], y = [ 1.0; 0.5; 0.25; 0.125 ], Name = "loss")
        |> Chart.withYAxisStyle (TitleText = "MSE", AxisType = StyleParam.AxisType.Log)
    let json = ChartHtml.FigureJson heat
    Assert.Contains("\"ticktext\":[\"h0\",\"h1\",\"h2\"]", json)
    Assert.Contains("\"text\":\"hidden units\"", json)
    Assert.Contains("\"type\":\"log\"", ChartHtml.FigureJson line)

[<Fact>]
let ``a Plotly.NET chart made in F# displays as HTML in a notebook`` () =
    NotebookDisplay.Register()
    let chart = Chart.Point(x = [ 1.0; 2.0 ], y = [ 3.0; 4.0 ], Name = "points")
    let html = chart.ToDisplayString(HtmlFormatter.MimeType)
    Assert.Contains("class=\"autogradrnn-chart\"", html)
    Assert.Contains("\"name\":\"points\"", html)
