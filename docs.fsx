// dotnet fsi docs.fsx — the project's main job.
// Builds the library, then runs docs/tour.fsx: an LSTM written from the essay's equations, trained on a
// toy sequence, printing its loss as it falls. (The notebook runner and the docs site grow from here.)
open System
open System.Diagnostics
open System.IO

let root = __SOURCE_DIRECTORY__

/// Runs a command in the repository root, streaming its output; fails the script if it fails.
let run (file: string) (args: string) =
    let psi = ProcessStartInfo(file, args, WorkingDirectory = root, UseShellExecute = false)
    use p = Process.Start psi
    p.WaitForExit()
    if p.ExitCode <> 0 then
        eprintfn "docs.fsx: '%s %s' failed with exit code %d" file args p.ExitCode
        exit p.ExitCode

run "dotnet" "build src/AutoGradRnn/AutoGradRnn.csproj -c Release -nologo -v quiet"
run "dotnet" ("fsi " + Path.Combine("docs", "tour.fsx"))
