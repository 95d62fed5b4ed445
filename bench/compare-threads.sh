#!/usr/bin/env bash
# AutoGradRnn on 1 thread against AutoGradRnn on N threads (default 2), in ONE run: two benchmark servers, one
# limited to 1 core and one to N (DOTNET_PROCESSOR_COUNT), answer the same requests in turn, shape after shape,
# round after round, so machine noise hits both. Prints the speed-up (1-thread time / N-thread time) with its
# spread over rounds: the scaling goal is >= 1.85x at H >= 256 and never below 1x.
#
#   bash bench/compare-threads.sh                 # 1 vs 2 threads, every cell and shape, 3 rounds
#   bash bench/compare-threads.sh --threads 4 --rounds 5
#   bash bench/compare-threads.sh --only '168|48'  # only the cases whose line matches this regex
set -euo pipefail
THREADS=2; ROUNDS=3; BUDGET_MS=600; ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --budget-ms) BUDGET_MS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/common.sh"
echo "building bench/AutoGradRnn.Benchmarks (Release) ..." >&2
dotnet build "$ROOT/bench/AutoGradRnn.Benchmarks" -c Release -v quiet -nologo >&2
DLL="$ROOT/bench/AutoGradRnn.Benchmarks/bin/Release/net10.0/AutoGradRnn.Benchmarks.dll"
start_server a "1-thread" env DOTNET_PROCESSOR_COUNT=1 dotnet "$DLL" serve
start_server b "$THREADS-thread" env DOTNET_PROCESSOR_COUNT="$THREADS" dotnet "$DLL" serve
connect_servers

SHAPES=("32 64 65 128" "32 64 65 256" "64 100 65 512" "64 48 1 64" "32 168 4 32" "1 32 8 16")
CASES=()
for cell in lstm gru rnn; do for s in "${SHAPES[@]}"; do CASES+=("$cell $s fb"); done; done
VOCAB="$(dotnet "$DLL" vocabulary)"
CASES+=("charlm1 32 64 $VOCAB 256 fb" "charlm2 32 64 $VOCAB 256 fb")
only_cases "$ONLY"
RESULTS="$WORK/results.tsv"; : > "$RESULTS"
run_rounds "1 thread" "$THREADS threads"
stop_servers
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
/usr/bin/python3 - "$RESULTS" "$THREADS" "$COMMIT" <<'PYEOF'
import statistics, sys, time
path, threads, commit = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = {}
for line in open(path):
    r, case, a, b = line.rstrip("\n").split("\t")
    rows.setdefault(case, []).append((float(a.split()[0]), float(b.split()[0])))
print(f"AutoGradRnn, 1 thread vs {threads} threads, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}")
print()
print(f"| cell | B,T,D,H | 1 thread ms | {threads} threads ms | speed-up | spread (per round) |")
print("|---|---|---:|---:|---:|---:|")
for case, xs in rows.items():
    cell, B, T, D, H, mode = case.split()
    one, many = statistics.median(x[0] for x in xs), statistics.median(x[1] for x in xs)
    per = [x[0] / x[1] for x in xs]
    name = {"charlm1": "train-char step, 1 layer", "charlm2": "train-char step, 2 layers"}.get(cell, cell)
    print(f"| {name} | {B},{T},{D},{H} | {one:.2f} | {many:.2f} | {one / many:.2f}× | {min(per):.2f}–{max(per):.2f} |")
PYEOF
