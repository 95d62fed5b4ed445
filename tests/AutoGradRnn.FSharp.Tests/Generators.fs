/// FsCheck 3 from F#: generators for recurrent problem sizes, registered as arbitraries for the [<Property>] tests.
module AutoGradRnn.FSharp.Tests.Generators

open FsCheck
open FsCheck.FSharp

/// Batch, time, input and hidden sizes with the seed of every value; printed by FsCheck on failure.
type Problem =
    { Batch: int; Time: int; Input: int; Hidden: int; Seed: int64 }
    override p.ToString() = sprintf "B %d T %d D %d H %d seed %d" p.Batch p.Time p.Input p.Hidden p.Seed

let problems : Arbitrary<Problem> =
    let gen =
        gen {
            let! b = Gen.choose (1, 4)
            let! t = Gen.choose (1, 6)
            let! d = Gen.choose (1, 5)
            let! h = Gen.choose (1, 5)
            let! s = Gen.choose (0, System.Int32.MaxValue)
            return { Batch = b; Time = t; Input = d; Hidden = h; Seed = int64 s }
        }
    // Shrink each size towards 1, so a failure is reported at the smallest problem that still fails.
    let shrink p =
        seq {
            if p.Batch > 1 then yield { p with Batch = p.Batch - 1 }
            if p.Time > 1 then yield { p with Time = p.Time - 1 }
            if p.Input > 1 then yield { p with Input = p.Input - 1 }
            if p.Hidden > 1 then yield { p with Hidden = p.Hidden - 1 }
        }
    Arb.fromGenShrink (gen, shrink)

/// The arbitraries for [<Property(Arbitrary = [| typeof<Problems> |])>]: FsCheck registers every static member that
/// returns an Arbitrary. On failure FsCheck.Xunit reports the replay seed and the shrunk problem.
type Problems =
    static member Problem() : Arbitrary<Problem> = problems
