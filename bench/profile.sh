#!/usr/bin/env bash
# Where a step's time goes, by perf samples on the benchmark's own process: the GEMM micro-kernels, packing,
# the cells' elementwise passes (the fused kernels' per-row forward/backward and the activations), the rest of
# the autodiff and training code, the runtime (GC, JIT) and the kernel.
#
#   bash bench/profile.sh lstm 32 64 65 256          # forward+backward of one fused LSTM sequence, 1 thread
#   bash bench/profile.sh charlm1 32 64 83 256       # train-char's own step (D is ignored: the text's vocabulary)
#   bash bench/profile.sh gru 64 48 1 64 --seconds 20
#   bash bench/profile.sh gru 32 168 4 32 --threads 2   # the same with 2 threads (samples of both threads together)
#
# Needs root (or sudo) the first time: installs linux-perf if it is missing.
set -euo pipefail
[ $# -ge 5 ] || { sed -n '2,10p' "$0"; exit 2; }
CELL="$1"; B="$2"; T="$3"; D="$4"; H="$5"; shift 5
SECONDS_TO_RUN=10
THREADS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_TO_RUN="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v perf >/dev/null; then
  $SUDO apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq linux-perf >&2
fi
dotnet build "$ROOT/bench/AutoGradRnn.Benchmarks" -c Release -v quiet -nologo >&2
DLL="$ROOT/bench/AutoGradRnn.Benchmarks/bin/Release/net10.0/AutoGradRnn.Benchmarks.dll"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
# The JIT writes /tmp/perf-PID.map so perf can name managed frames (W^X double mapping off, or code sits in an anonymous memfd).
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_PROCESSOR_COUNT="$THREADS" $SUDO perf record -q -F 2000 -g -o "$WORK/perf.data" -- \
  dotnet "$DLL" loop "$CELL" "$B" "$T" "$D" "$H" "$SECONDS_TO_RUN" >&2
$SUDO perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' > "$WORK/symbols.txt"
/usr/bin/python3 - "$WORK/symbols.txt" "$CELL ($B,$T,$D,$H)" "$THREADS" <<'PYEOF'
import re, sys
groups = [
    ("GEMM micro-kernel", r"Gemm::Kernel|Gemm\.Kernel|Kernel512|Kernel256|Kernel128"),
    ("packing (GEMM operands)", r"Pack|Transpose8x8"),
    ("cell elementwise (fused rows, activations)", r"Forward1|Forward2|Backward1|Backward2|ForwardVector|BackwardVector|FastActivations|SigmoidGrad|TanhGrad"),
    ("other tensor ops (broadcast, sums, copies, zeroing)", r"Broadcast|TensorPrimitives|Simd|ColumnSums|Reduce|Softmax|CrossEntropy|OneHot|Embedding|Linear|memmove|memcpy|memset|Buffer|Fill|Clear"),
    ("optimizer and clipping", r"Adam|Optimizer|Clipping|GlobalNorm"),
    ("threads: hand-off and waiting", r"WorkSharing|ThreadPool|PortableThreadPool|ManualResetEvent|LowLevelLifoSemaphore|Monitor|SpinWait|Wait|futex|sched_yield|SpinOnce"),
    ("runtime (GC, JIT, allocation)", r"gc_heap|GCHeap|WKS::|SVR::|Jit|jit|clr|coreclr|Alloc"),
    ("kernel", r"\[k\]"),
]
totals = {g: 0.0 for g, _ in groups}; totals["everything else"] = 0.0
for line in open(sys.argv[1]):
    m = re.match(r"\s*([0-9.]+)%\s+(.*)", line)
    if not m: continue
    pct, sym = float(m.group(1)), m.group(2)
    for g, rx in groups:
        if re.search(rx, sym):
            totals[g] += pct; break
    else:
        totals["everything else"] += pct
print(f"where the time of {sys.argv[2]} goes (perf samples, {sys.argv[3]} thread(s)):")
for g, v in totals.items():
    print(f"  {g:50s} {v:5.1f} %")
PYEOF
echo "top symbols:"; head -12 "$WORK/symbols.txt" | sed -E 's/ +- +- *$//; s/\(valuetype.*//' | cut -c1-140
