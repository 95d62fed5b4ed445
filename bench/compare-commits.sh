#!/usr/bin/env bash
# AutoGradRnn against itself at another commit, side by side, in ONE run: a refactor must not slow anything down.
# Both builds stay up as benchmark servers and the same requests alternate between them (who goes first alternates
# by round), so machine noise hits both. Prints medians per case and the ratio base/head (> 1: head is faster).
#
#   bash bench/compare-commits.sh BASE            # BASE (a commit, branch or tag) against this working tree
#   bash bench/compare-commits.sh BASE HEAD       # two commits
#   bash bench/compare-commits.sh BASE --quick    # the LSTM fwd+bwd shapes and train-char's step, 2 rounds
#   options: --rounds N (default 3), --threads N (default 1), --only REGEX (cases whose line matches)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREADS=1; ROUNDS=3; QUICK=0; ONLY=""; BUDGET_MS=600; REVS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --quick) QUICK=1; ROUNDS=2; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) REVS+=("$1"); shift ;;
  esac
done
[ ${#REVS[@]} -ge 1 ] && [ ${#REVS[@]} -le 2 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
source "$ROOT/bench/common.sh"

# checkout REV DIR: a detached worktree of REV (removed on exit with the scratch folder).
checkout() {
  git -C "$ROOT" rev-parse --verify -q "$1^{commit}" >/dev/null || { echo "'$1' is not a commit of this repository" >&2; exit 2; }
  git -C "$ROOT" worktree add -q --detach "$2" "$1"
}
trap 'exec 3>&- 5>&- 2>/dev/null || true; for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
      for w in "$WORK/base" "$WORK/head"; do [ -d "$w" ] && git -C "$ROOT" worktree remove --force "$w"; done; rm -rf "$WORK"' EXIT
BASE_DIR="$WORK/base"; checkout "${REVS[0]}" "$BASE_DIR"
if [ ${#REVS[@]} = 2 ]; then HEAD_DIR="$WORK/head"; checkout "${REVS[1]}" "$HEAD_DIR"; HEAD_NAME="${REVS[1]}"
else HEAD_DIR="$ROOT"; HEAD_NAME="working tree ($(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD || echo ' + changes'))"; fi
# Both servers run from this repository's root, where the char-LM workload finds data/moby_dick.txt.
for d in "$BASE_DIR" "$HEAD_DIR"; do
  echo "building $d/bench/AutoGradRnn.Benchmarks (Release) ..." >&2
  dotnet build "$d/bench/AutoGradRnn.Benchmarks" -c Release -v quiet -nologo >&2
done
DLL=bench/AutoGradRnn.Benchmarks/bin/Release/net10.0/AutoGradRnn.Benchmarks.dll

# One thread means one: DOTNET_PROCESSOR_COUNT also keeps the GEMM from splitting work.
start_server a base env DOTNET_PROCESSOR_COUNT="$THREADS" bash -c "cd '$ROOT' && exec dotnet '$BASE_DIR/$DLL' serve"
start_server b head env DOTNET_PROCESSOR_COUNT="$THREADS" bash -c "cd '$ROOT' && exec dotnet '$HEAD_DIR/$DLL' serve"
connect_servers

SHAPES=("32 64 65 128" "32 64 65 256" "64 48 1 64" "32 168 4 32" "1 32 8 16")
CASES=()
for s in "${SHAPES[@]}"; do CASES+=("lstm $s fb"); done
if [ "$QUICK" = 0 ]; then
  for s in "${SHAPES[@]}"; do CASES+=("gru $s fb" "rnn $s fb"); done
  CASES+=("lstm 32 64 65 256 f" "train 32 64 65 256 fb")
fi
VOCAB="$(cd "$ROOT" && dotnet "$HEAD_DIR/$DLL" vocabulary)"
CASES+=("charlm1 32 64 $VOCAB 256 fb" "charlm2 32 64 $VOCAB 256 fb")
only_cases "$ONLY"

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
run_rounds base head
stop_servers

/usr/bin/python3 - "$RESULTS" "${REVS[0]} ($(git -C "$ROOT" rev-parse --short "${REVS[0]}"))" "$HEAD_NAME" "$THREADS" <<'PYEOF'
import statistics, sys, time
path, base, head, threads = sys.argv[1:5]
rows = {}
for line in open(path):
    r, case, a, b = line.rstrip("\n").split("\t")
    rows.setdefault(case, []).append((float(a.split()[0]), float(b.split()[0]), int(a.split()[1]), int(b.split()[1])))
print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; base {base}; head {head}; {threads} thread(s) each")
print()
print("| case | base ms | head ms | ratio (base/head) | spread (per round) | base MB/op | head MB/op |")
print("|---|---:|---:|---:|---:|---:|---:|")
ratios = []
for case, xs in rows.items():
    a = statistics.median(x[0] for x in xs); b = statistics.median(x[1] for x in xs)
    per = [x[0] / x[1] for x in xs]; ratios.append(a / b)
    print(f"| {case} | {a:.2f} | {b:.2f} | {a / b:.2f}× | {min(per):.2f}–{max(per):.2f} | "
          f"{statistics.median(x[2] for x in xs) / 1e6:.1f} | {statistics.median(x[3] for x in xs) / 1e6:.1f} |")
print()
print(f"geometric mean of the ratios: {statistics.geometric_mean(ratios):.3f}× (> 1: head is faster)")
PYEOF
