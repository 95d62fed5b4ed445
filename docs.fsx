// dotnet fsi docs.fsx — the project's main job:
//   1. builds the library, its charts (AutoGradRnn.Display, which the notebooks #r) and the notebook runner (Release),
//   2. installs the site's assets (plotly.js, KaTeX; pinned in docs/site/package.json) with npm if missing,
//   3. executes every notebook in notebooks/ in place, so the committed notebooks carry fresh outputs,
//   4. writes the static site to docs/_site (index, one page per notebook and per docs/*.md).
// Exits non-zero if any step, or any notebook cell, fails.
open System
open System.Diagnostics
open System.IO

let root = __SOURCE_DIRECTORY__
let path (parts: string list) = Path.Combine(Array.ofList (root :: parts))

/// Runs a command in the repository root, streaming its output; stops the script if it fails.
let run (file: string) (args: string list) =
    let psi = ProcessStartInfo(file, args, WorkingDirectory = root, UseShellExecute = false)
    use p = Process.Start psi
    p.WaitForExit()
    if p.ExitCode <> 0 then
        eprintfn "docs.fsx: '%s %s' failed with exit code %d" file (String.Join(" ", args)) p.ExitCode
        exit p.ExitCode

let timed (what: string) (action: unit -> unit) =
    let watch = Stopwatch.StartNew()
    action ()
    printfn "docs.fsx: %s (%.1f s)" what watch.Elapsed.TotalSeconds

timed "built the library and the notebook runner" (fun () ->
    for project in [ "src/AutoGradRnn.Display/AutoGradRnn.Display.csproj"; "src/AutoGradRnn.Notebooks/AutoGradRnn.Notebooks.csproj" ] do
        run "dotnet" [ "build"; project; "-c"; "Release"; "-nologo"; "-v"; "quiet" ])

let nodeModules = path [ "docs"; "site"; "node_modules" ]
if not (File.Exists(Path.Combine(nodeModules, "plotly.js-dist-min", "plotly.min.js")) && Directory.Exists(Path.Combine(nodeModules, "katex", "dist"))) then
    timed "installed plotly.js and KaTeX" (fun () ->
        run "npm" [ "install"; "--prefix"; path [ "docs"; "site" ]; "--no-package-lock"; "--no-audit"; "--no-fund"; "--loglevel=error" ])

let runner = path [ "src"; "AutoGradRnn.Notebooks"; "bin"; "Release"; "net10.0"; "AutoGradRnn.Notebooks.dll" ]
let notebooks =
    Directory.GetFiles(path [ "notebooks" ], "*.ipynb") |> Array.sort |> List.ofArray
timed (sprintf "executed %d notebooks" notebooks.Length) (fun () ->
    run "dotnet" (runner :: "run" :: notebooks))

timed "built the site in docs/_site" (fun () ->
    run "dotnet" [ runner; "site"; root; path [ "docs"; "_site" ]; nodeModules ])
printfn "open %s" (path [ "docs"; "_site"; "index.html" ])
