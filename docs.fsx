// dotnet fsi docs.fsx [--quick | --site-only] — the project's main job:
//   1. builds the library, its charts (AutoGradRnn.Display, which the notebooks #r) and the notebook runner (Release),
//   2. runs docs/tour.fsx, the F# tour (it #r's the library's Release build),
//   3. installs the site's assets (plotly.js, KaTeX; pinned in docs/site/package.json) with npm if missing,
//   4. executes every notebook in notebooks/ in place, so the committed notebooks carry fresh outputs, printing each
//      notebook and each cell as it starts, with the time elapsed,
//   5. writes the static site to docs/_site (index, one page per notebook and per docs/*.md).
// --quick      the CI-sized run: sets AUTOGRADRNN_QUICK=1, so training cells run smaller (1.5 to 4 minutes instead of 6 to 10);
//              the notebooks then carry CI-sized outputs (`git checkout notebooks/` restores the committed ones).
// --site-only  builds only the runner and rebuilds docs/_site from the notebooks' committed outputs (steps 1, 3, 5).
// Exits non-zero if any step, or any notebook cell, fails. A rerun on the same machine rewrites the notebooks
// byte for byte: seeded runs are bit-identical, chart ids depend only on the notebook and the cell, and no cell
// prints wall-clock times (this script's log is the one place for those).
open System
open System.Diagnostics
open System.IO

let root = __SOURCE_DIRECTORY__
let path (parts: string list) = Path.Combine(Array.ofList (root :: parts))

let args = fsi.CommandLineArgs |> Array.skip 1
let quick = args |> Array.contains "--quick"
let siteOnly = args |> Array.contains "--site-only"
match args |> Array.filter (fun a -> a <> "--quick" && a <> "--site-only") with
| [||] when not (quick && siteOnly) -> ()
| _ ->
    eprintfn "usage: dotnet fsi docs.fsx [--quick | --site-only]"
    exit 2

let clock = Stopwatch.StartNew()
let say (text: string) =
    printfn "docs.fsx [%3d:%02d] %s" (int clock.Elapsed.TotalMinutes) clock.Elapsed.Seconds text
    stdout.Flush()

/// Runs a command in the repository root, streaming its output; stops the script if it fails.
let run (file: string) (args: string list) (environment: (string * string) list) =
    let psi = ProcessStartInfo(file, args, WorkingDirectory = root, UseShellExecute = false)
    for name, value in environment do psi.Environment[name] <- value
    use p = Process.Start psi
    p.WaitForExit()
    if p.ExitCode <> 0 then
        eprintfn "docs.fsx: '%s %s' failed with exit code %d" file (String.Join(" ", args)) p.ExitCode
        exit p.ExitCode

let timed (what: string) (action: unit -> unit) =
    let watch = Stopwatch.StartNew()
    action ()
    say (sprintf "%s (%.1f s)" what watch.Elapsed.TotalSeconds)

say (if siteOnly then "rebuilding the site from the committed notebooks (--site-only)"
     elif quick then "the CI-sized run (--quick: AUTOGRADRNN_QUICK=1)"
     else "the full run (6 to 10 minutes on 2 cores; --quick for the CI-sized one)")

let projects =
    if siteOnly then [ "src/AutoGradRnn.Notebooks/AutoGradRnn.Notebooks.csproj" ]
    else [ "src/AutoGradRnn.Display/AutoGradRnn.Display.csproj"; "src/AutoGradRnn.Notebooks/AutoGradRnn.Notebooks.csproj" ]
timed (if siteOnly then "built the notebook runner" else "built the library and the notebook runner") (fun () ->
    for project in projects do
        run "dotnet" [ "build"; project; "-c"; "Release"; "-nologo"; "-v"; "quiet" ] [])

if not siteOnly then
    timed "ran docs/tour.fsx" (fun () -> run "dotnet" [ "fsi"; path [ "docs"; "tour.fsx" ] ] [])

let nodeModules = path [ "docs"; "site"; "node_modules" ]
if not (File.Exists(Path.Combine(nodeModules, "plotly.js-dist-min", "plotly.min.js")) && Directory.Exists(Path.Combine(nodeModules, "katex", "dist"))
        && File.Exists(Path.Combine(nodeModules, "@highlightjs", "cdn-assets", "highlight.min.js"))) then
    timed "installed plotly.js, KaTeX and highlight.js" (fun () ->
        run "npm" [ "install"; "--prefix"; path [ "docs"; "site" ]; "--no-package-lock"; "--no-audit"; "--no-fund"; "--loglevel=error" ] [])

let runner = path [ "src"; "AutoGradRnn.Notebooks"; "bin"; "Release"; "net10.0"; "AutoGradRnn.Notebooks.dll" ]
if not siteOnly then
    let notebooks =
        Directory.GetFiles(path [ "notebooks" ], "*.ipynb") |> Array.sort |> List.ofArray
    timed (sprintf "executed %d notebooks" notebooks.Length) (fun () ->
        run "dotnet" (runner :: "run" :: notebooks) [ ("AUTOGRADRNN_QUICK", (if quick then "1" else "")) ])

timed "built the site in docs/_site" (fun () ->
    run "dotnet" [ runner; "site"; root; path [ "docs"; "_site" ]; nodeModules ] [])
printfn "open %s" (path [ "docs"; "_site"; "index.html" ])
if quick then
    printfn "--quick: notebooks/ now carry CI-sized outputs; `git checkout notebooks/` restores the committed ones"
