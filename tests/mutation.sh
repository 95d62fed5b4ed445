#!/usr/bin/env bash
# Mutation testing with Stryker.NET (pinned in tests/mutation/dotnet-tools.json, a manifest of its own so the
# default test run does not restore it): mutates the library's code, runs tests/AutoGradRnn.Tests and
# tests/AutoGradRnn.Reliability.Tests (resume, checkpoints, fuzzing) against every
# mutant, and prints the score. Not part of the default test run: a whole folder takes long on 2 cores.
#
#   bash tests/mutation.sh src/AutoGradRnn/Training/Clipping.cs        # these files (paths or globs under src/AutoGradRnn)
#   bash tests/mutation.sh 'src/AutoGradRnn/Autodiff/**/*.cs'           # a folder
#   bash tests/mutation.sh 'src/AutoGradRnn/Autodiff/**/*.cs' '!src/AutoGradRnn/Autodiff/GradCheckCases.cs'   # but not that file
#   bash tests/mutation.sh --since                                       # the files changed since main
#   bash tests/mutation.sh --since other-branch
#   bash tests/mutation.sh --tests tests/AutoGradRnn.Tests/Autodiff 'src/AutoGradRnn/Autodiff/**/*.cs'
#       only the test classes in that folder (repeatable): far faster; a mutant only other tests catch counts as
#       survived, so the score is a lower bound of the whole suite's
#
# Reports (HTML, JSON) go to tests/mutation/StrykerOutput/reports; it prints the score, then the score per folder
# (tests/mutation/Summary.cs), and writes the mutants no test caught to survivors.txt beside the reports.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$ROOT/tests/mutation.sh"   # the usage text below is read from here, after the cd
cd "$ROOT/tests/mutation"
ARGS=()
TESTDIRS=()
if [ $# -eq 0 ]; then sed -n '2,17p' "$SELF" >&2; exit 2; fi
while [ $# -gt 0 ]; do
  case "$1" in
    --since)
      if [ $# -gt 1 ] && [[ "$2" != -* ]] && [[ "$2" != src/* ]]; then ARGS+=("--since:$2"); shift 2; else ARGS+=("--since:main"); shift; fi ;;
    --tests)
      if [ $# -lt 2 ] || [ ! -d "$ROOT/${2%/}" ] || [[ "$2" != tests/*/* ]]; then
        echo "tests/mutation.sh: --tests needs a folder of a test project, such as tests/AutoGradRnn.Tests/Autodiff" >&2; exit 2; fi
      TESTDIRS+=("${2%/}"); shift 2 ;;
    -h|--help) sed -n '2,17p' "$SELF"; exit 0 ;;
    src/AutoGradRnn/*) ARGS+=("--mutate" "**/${1#src/AutoGradRnn/}"); shift ;;
    '!'src/AutoGradRnn/*) ARGS+=("--mutate" "!**/${1#!src/AutoGradRnn/}"); shift ;;
    *) echo "tests/mutation.sh: '$1' is not a file under src/AutoGradRnn/ (or !file to leave out), --tests or --since" >&2; exit 2 ;;
  esac
done
if [ ${#TESTDIRS[@]} -gt 0 ]; then
  # A VSTest filter naming every class declared in those folders, and only their test projects.
  FILTER=""; PROJECTS=()
  for d in "${TESTDIRS[@]}"; do
    p="$(echo "$d" | cut -d/ -f1-2)"; p="$ROOT/$p/$(basename "$p").csproj"
    [[ " ${PROJECTS[*]-} " == *" $p "* ]] || PROJECTS+=("$p")
    for c in $(grep -rhoE --include='*.cs' '\bclass [A-Za-z_][A-Za-z0-9_]*' "$ROOT/$d" | awk '{print $2}' | sort -u); do
      FILTER+="${FILTER:+|}FullyQualifiedName~.$c."
    done
  done
  [ -n "$FILTER" ] || { echo "tests/mutation.sh: no test classes in ${TESTDIRS[*]}" >&2; exit 2; }
  ARGS+=("--test-case-filter" "$FILTER")
  for p in "${PROJECTS[@]}"; do ARGS+=("--test-project" "$p"); done
fi
# A mutant needs one failing case, not the smallest: shrinking a failing gradient check re-runs it many times (Props.Shrink).
export AUTOGRADRNN_TEST_NO_SHRINK=1
dotnet tool restore >/dev/null
for p in AutoGradRnn.Tests AutoGradRnn.Reliability.Tests; do dotnet build "$ROOT/tests/$p" -c Release -v quiet -nologo >/dev/null; done
rm -rf "$ROOT/tests/mutation/StrykerOutput/reports"   # never summarise an older run
# Run from here, where the manifest pins the tool; the config names the test project and the project under test.
dotnet tool run dotnet-stryker --config-file "$ROOT/tests/mutation/stryker-config.json" \
  --output "$ROOT/tests/mutation/StrykerOutput" "${ARGS[@]}" 2>&1 | tee "$ROOT/tests/mutation/last-run.log" | grep -E "Mutation score|mutants|Killed|Survived|error|Error" || true
grep -E "The final mutation score is" "$ROOT/tests/mutation/last-run.log" | tail -1
# The score per folder, and every mutant no test caught (file:line, mutator, the line, its replacement).
REPORT="$ROOT/tests/mutation/StrykerOutput/reports/mutation-report.json"
if [ -f "$REPORT" ]; then
  dotnet run "$ROOT/tests/mutation/Summary.cs" -- "$REPORT"
  dotnet run "$ROOT/tests/mutation/Summary.cs" -- "$REPORT" --survivors > "$ROOT/tests/mutation/StrykerOutput/reports/survivors.txt"
  echo "the mutants no test caught: tests/mutation/StrykerOutput/reports/survivors.txt"
fi
