#!/usr/bin/env bash
# AutoGradRnn against oneDNN's fused RNN primitives on this CPU, side by side, in ONE run: both sides stay up as
# servers (ours: `AutoGradRnn.Benchmarks serve`; oneDNN: bench/onednn/rnn_server.cpp, compiled here with
# -O3 -march=native) and the same requests alternate between them, shape after shape, round after round, so
# machine noise hits both. Before any timing, every cell and shape is checked: oneDNN runs on our dumped input
# and weights and must reproduce our outputs (max abs difference <= 1e-4) and our gradients (max difference
# relative to the largest gradient <= 1e-4); otherwise the script stops with exit code 1.
# Prints a Markdown table: medians, the ratio oneDNN/AutoGradRnn (> 1: we are faster) with its spread over
# rounds, our GFLOP/s and both sides' % of the measured peak.
#
#   bash bench/compare-onednn.sh                  # 1 thread each, 3 rounds, every shape and cell
#   bash bench/compare-onednn.sh --threads 2      # 2 threads each (OpenMP for oneDNN)
#   bash bench/compare-onednn.sh --quick          # LSTM forward+backward only, 2 rounds
#   bash bench/compare-onednn.sh --rounds 5 --budget-ms 1000
#
# Needs root (or sudo) only the first time: installs Debian's libdnnl-dev (oneDNN 2.6.3) and g++ if missing.
set -euo pipefail

THREADS=1
ROUNDS=3
QUICK=0
BUDGET_MS=600
TOL=1e-4
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --budget-ms) BUDGET_MS="$2"; shift 2 ;;
    --quick) QUICK=1; ROUNDS=2; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3            # `python3` on PATH may be a shim
source "$ROOT/bench/common.sh"
apt_install libdnnl-dev g++ python3

# Debian's libdnnl2 is built with OpenMP (dnnl_config.h: DNNL_CPU_RUNTIME = OMP): its thread count is OpenMP's. The
# server also calls omp_set_num_threads(--threads). With 2 threads, OpenMP's default busy-waiting swung between much
# faster and seconds per iteration on a shared machine; passive waiting is the stable choice. An explicit setting is kept.
export OMP_NUM_THREADS="$THREADS"
if [ "$THREADS" -gt 1 ]; then export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"; fi


echo "compiling bench/onednn/rnn_server.cpp ..." >&2
g++ -O3 -march=native -fopenmp -std=c++17 -o "$WORK/rnn_server" "$ROOT/bench/onednn/rnn_server.cpp" -ldnnl >&2

echo "building bench/AutoGradRnn.Benchmarks (Release) ..." >&2
dotnet build "$ROOT/bench/AutoGradRnn.Benchmarks" -c Release -v quiet -nologo >&2
CS_DLL="$ROOT/bench/AutoGradRnn.Benchmarks/bin/Release/net10.0/AutoGradRnn.Benchmarks.dll"

# Our side: one thread means one: DOTNET_PROCESSOR_COUNT also keeps the GEMM from splitting work.
start_server a AutoGradRnn env DOTNET_PROCESSOR_COUNT="$THREADS" dotnet "$CS_DLL" serve
start_server b oneDNN "$WORK/rnn_server" --threads "$THREADS"
connect_servers

ask_b info; DNNL_INFO="$REPLY"
PEAK="$(DOTNET_PROCESSOR_COUNT=1 dotnet "$CS_DLL" peak)"

SHAPES=("32 64 65 128" "32 64 65 256" "64 100 65 512" "64 48 1 64" "32 168 4 32" "1 32 8 16")
CELLS=(lstm)
[ "$QUICK" = 0 ] && CELLS=(lstm gru rnn)

# Correctness first: oneDNN on our dumped input and weights, forward (training and inference) and backward.
CHECKS="$WORK/checks.txt"
: > "$CHECKS"
for cell in "${CELLS[@]}"; do
  for s in "${SHAPES[@]}"; do
    ask_a "dump $cell $s $WORK/dump"
    [ "$REPLY" = ok ] || { echo "FAILED: dump $cell ($s): $REPLY" >&2; exit 1; }
    ask_b "check $cell $s $WORK/dump"
    case "$REPLY" in error*) echo "FAILED: oneDNN check $cell ($s): $REPLY" >&2; exit 1 ;; esac
    # "y <abs> y_inf <abs> h_t <abs> dx <rel> dw_ih <rel> dw_hh <rel> db <rel>"
    if ! awk -v tol="$TOL" '{ for (i = 2; i <= NF; i += 2) if ($i !~ /^[0-9.]+(e[-+]?[0-9]+)?$/ || $i + 0 > tol) exit 1 }' <<< "$REPLY"; then
      echo "FAILED: oneDNN disagrees with AutoGradRnn on $cell B,T,D,H=${s// /,} (tolerance $TOL): $REPLY" >&2
      exit 1
    fi
    echo "check $cell ${s// /,}: $REPLY" >&2
    echo "$REPLY" >> "$CHECKS"
  done
done
CHECK_LINE="$(awk '{ for (i = 1; i <= NF; i += 2) { n[i] = $i; if ($(i+1) + 0 > m[i]) m[i] = $(i+1) + 0 } }
  END { s = ""; for (i = 1; i <= 13; i += 2) s = s sprintf("%s%s %.1e", (s == "" ? "" : ", "), n[i], m[i]); print s }' "$CHECKS")"

CASES=()
for s in "${SHAPES[@]}"; do CASES+=("lstm $s fb"); done
if [ "$QUICK" = 0 ]; then
  for s in "${SHAPES[@]}"; do CASES+=("lstm $s f"); done
  for s in "${SHAPES[@]}"; do CASES+=("gru $s fb"); done
  for s in "${SHAPES[@]}"; do CASES+=("rnn $s fb"); done
fi

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
run_rounds ours oneDNN
stop_servers

COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
git -C "$ROOT" diff --quiet HEAD 2>/dev/null || COMMIT="$COMMIT (+ uncommitted changes)"
CPU="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"

"$PY" - "$RESULTS" "$PEAK" "$THREADS" "$DNNL_INFO" "$COMMIT" "$CPU" "$CHECK_LINE" "$TOL" "$OMP_NUM_THREADS" "${OMP_WAIT_POLICY:-(default)}" <<'PYEOF'
import datetime, statistics, sys
path, peak, threads, dnnl, commit, cpu, check, tol, omp, wait = sys.argv[1:11]
peak, threads = float(peak), int(threads)
rows = {}
for line in open(path):
    r, case, cs, dn = line.rstrip("\n").split("\t")
    rows.setdefault(case, []).append((float(cs.split()[0]), float(dn.split()[0])))
gates = {"lstm": 4, "gru": 3, "rnn": 1}
print(f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; commit {commit}; CPU {cpu}; {dnnl}; threads per side: {threads} "
      f"(OMP_NUM_THREADS={omp}, OMP_WAIT_POLICY={wait}); measured single-thread fp32 peak {peak:.0f} GFLOP/s (% of peak below: of {threads} × that); "
      f"rounds: {len(next(iter(rows.values())))}")
print(f"check (oneDNN on our input and weights; forward max abs difference, gradients max difference relative to the largest; tolerance {tol}): {check}")
print()
print("| cell | B,T,D,H | pass | oneDNN ms | AutoGradRnn ms | ratio (oneDNN/ours) | ratio spread (per round) | our GFLOP/s | our % of peak | oneDNN % of peak |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
for case, xs in rows.items():
    cell, B, T, D, H, mode = case.split()
    B, T, D, H = int(B), int(T), int(D), int(H)
    ours = statistics.median(x[0] for x in xs)
    dn = statistics.median(x[1] for x in xs)
    ratios = [x[1] / x[0] for x in xs]
    flops = 2.0 * B * (D + H) * gates[cell] * H * T * (3 if mode == "fb" else 1)
    gf, gf_dn = flops / (ours / 1e3) / 1e9, flops / (dn / 1e3) / 1e9
    name = {"fb": "fwd+bwd", "f": "fwd"}[mode]
    print(f"| {cell} | {B},{T},{D},{H} | {name} | {dn:.2f} | {ours:.2f} | {dn / ours:.2f}× | {min(ratios):.2f}–{max(ratios):.2f} | "
          f"{gf:.0f} | {100 * gf / (peak * threads):.0f} % | {100 * gf_dn / (peak * threads):.0f} % |")
PYEOF
