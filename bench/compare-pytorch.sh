#!/usr/bin/env bash
# AutoGradRnn against PyTorch on this CPU, side by side, in ONE run: both sides stay up as servers and
# the same requests alternate between them (AutoGradRnn, then PyTorch, shape after shape, round after
# round), so machine noise hits both. Prints medians, the ratio PyTorch/AutoGradRnn (> 1: we are faster),
# our GFLOP/s and % of the measured peak, and the BLAS torch actually used.
#
#   bash bench/compare-pytorch.sh                 # 1 thread each, 3 rounds, every shape
#   bash bench/compare-pytorch.sh --threads 2     # 2 threads each (OpenMP OpenBLAS for torch)
#   bash bench/compare-pytorch.sh --quick         # LSTM forward+backward and train-char's step only, 2 rounds
#   bash bench/compare-pytorch.sh --only charlm   # only the cases whose line matches this regex (e.g. 'charlm', 'gru .* fb')
#
# Needs root (or sudo) only the first time: installs Debian's python3-torch and OpenBLAS if missing.
set -euo pipefail

THREADS=1
ROUNDS=3
QUICK=0
ONLY=""
BUDGET_MS=600
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --budget-ms) BUDGET_MS="$2"; shift 2 ;;
    --quick) QUICK=1; ROUNDS=2; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3            # `python3` on PATH may be a shim without torch
source "$ROOT/bench/common.sh"

# Torch at its best on this machine: OpenBLAS instead of the reference BLAS; the pthread build for one
# thread, the OpenMP build for two (the pthread build oversubscribes 2 cores); all of OpenBLAS' kernels.
apt_install python3-torch libopenblas0-pthread
BLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-pthread
if [ "$THREADS" -gt 1 ]; then apt_install libopenblas0-openmp; BLAS_DIR=/usr/lib/x86_64-linux-gnu/openblas-openmp; fi
unset OPENBLAS_CORETYPE
if grep -q avx512f /proc/cpuinfo; then export ATEN_CPU_CAPABILITY=avx512; fi
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS"
# With 2 threads, OpenMP's default busy-waiting collapses torch on a shared machine (measured: 40× slower
# while other processes run); passive waiting is torch at its best here. An explicit setting is kept.
if [ "$THREADS" -gt 1 ]; then export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"; fi

echo "building bench/AutoGradRnn.Benchmarks (Release) ..." >&2
dotnet build "$ROOT/bench/AutoGradRnn.Benchmarks" -c Release -v quiet -nologo >&2
CS_DLL="$ROOT/bench/AutoGradRnn.Benchmarks/bin/Release/net10.0/AutoGradRnn.Benchmarks.dll"


cat > "$WORK/torch_side.py" <<'PYEOF'
import os, statistics, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
torch.manual_seed(1)
cache = {}

sys.path.insert(0, os.path.join(os.environ["REPO_ROOT"], "bench", "reference"))
import charlm_pytorch  # noqa: E402  the reference script's own train-char mirror

def make(cell, B, T, D, H, mode):
    if cell.startswith("charlm"):
        # PyTorch's same model as `train-char` (one-hot, L-layer nn.LSTM, Linear, Adam, clip 5, carried state), from
        # bench/reference/charlm_pytorch.py, on the same text.
        run = charlm_pytorch.TrainingRun(os.path.join(os.environ["REPO_ROOT"], "data", "moby_dick.txt"),
                                         hidden=H, layers=int(cell[len("charlm"):]), seq=T, batch=B)
        return run.step
    if cell == "train":
        V = 65
        emb, lstm, head = nn.Embedding(V, D), nn.LSTM(D, H, batch_first=True), nn.Linear(H, V)
        params = list(emb.parameters()) + list(lstm.parameters()) + list(head.parameters())
        opt = torch.optim.Adam(params, lr=1e-3)
        inp, tgt = torch.randint(V, (B, T)), torch.randint(V, (B, T))
        def step():
            opt.zero_grad(set_to_none=True)
            out, _ = lstm(emb(inp))
            loss = F.cross_entropy(head(out).reshape(-1, V), tgt.reshape(-1))
            loss.backward()
            opt.step()
        return step
    mod = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell](D, H, batch_first=True)
    x = torch.randn(B, T, D)
    if mode == "fb":
        def op():
            mod.zero_grad(set_to_none=True)
            out, _ = mod(x)
            out.sum().backward()
        return op
    def fwd():
        with torch.no_grad():
            mod(x)
    return fwd

def blas():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in path or "lapack" in path:
                libs.add(os.path.realpath(path))
    return (f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), BLAS: {', '.join(sorted(libs)) or 'unknown'}; "
            f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, ATEN_CPU_CAPABILITY={os.environ.get('ATEN_CPU_CAPABILITY', '(default)')}, "
            f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(default)')}")

for line in sys.stdin:
    p = line.split()
    if not p:
        continue
    if p[0] == "quit":
        break
    if p[0] == "blas":
        print(blas(), flush=True)
        continue
    try:
        cell, B, T, D, H, mode, budget = p[0], int(p[1]), int(p[2]), int(p[3]), int(p[4]), p[5], float(p[6])
        key = " ".join(p[:6])
        if key not in cache:
            op = cache[key] = make(cell, B, T, D, H, mode)
            t0 = time.perf_counter(); i = 0
            while i < 5 or time.perf_counter() - t0 < 1.5:
                op(); i += 1
        op = cache[key]
        times = []
        t0 = time.perf_counter()
        c0 = time.process_time()
        while len(times) < 3 or (len(times) < 200 and (time.perf_counter() - t0) * 1000 < budget):
            s = time.perf_counter(); op(); times.append((time.perf_counter() - s) * 1000)
        cpu = (time.process_time() - c0) * 1000 / len(times)
        print(f"{statistics.median(times):.4f} 0 {len(times)} {cpu:.4f} {statistics.fmean(times):.4f}", flush=True)
    except Exception as e:
        print(f"error {type(e).__name__}: {e}".replace("\n", " "), flush=True)
PYEOF

# Our side: one thread means one: DOTNET_PROCESSOR_COUNT also keeps the GEMM from splitting work.
start_server a AutoGradRnn env DOTNET_PROCESSOR_COUNT="$THREADS" dotnet "$CS_DLL" serve
start_server b PyTorch env REPO_ROOT="$ROOT" LD_LIBRARY_PATH="$BLAS_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$PY" "$WORK/torch_side.py"
connect_servers

ask_b blas; BLAS_LINE="$REPLY"
PEAK="$(DOTNET_PROCESSOR_COUNT=1 dotnet "$CS_DLL" peak)"

SHAPES=("32 64 65 128" "32 64 65 256" "64 100 65 512" "64 48 1 64" "32 168 4 32" "1 32 8 16")
CASES=()
for s in "${SHAPES[@]}"; do CASES+=("lstm $s fb"); done
if [ "$QUICK" = 0 ]; then
  for s in "${SHAPES[@]}"; do CASES+=("lstm $s f"); done
  for s in "${SHAPES[@]}"; do CASES+=("gru $s fb"); done
  for s in "${SHAPES[@]}"; do CASES+=("rnn $s fb"); done
  CASES+=("train 32 64 65 256 fb")
fi
# train-char's own step (the CLI's code path: one-hot input, stacked LSTM 256, head, Adam, clipping) against
# PyTorch's same model from bench/reference/charlm_pytorch.py, 1 and 2 layers (D is the text's vocabulary).
VOCAB="$(dotnet "$CS_DLL" vocabulary)"
CASES+=("charlm1 32 64 $VOCAB 256 fb" "charlm2 32 64 $VOCAB 256 fb")
only_cases "$ONLY"

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
run_rounds ours torch
stop_servers

"$PY" - "$RESULTS" "$PEAK" "$THREADS" "$BLAS_LINE" <<'PYEOF'
import statistics, sys
path, peak, threads, blas = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = {}
for line in open(path):
    r, case, cs, pt = line.rstrip("\n").split("\t")
    c, t = cs.split(), pt.split()
    rows.setdefault(case, []).append((float(c[0]), int(c[1]), float(t[0]), float(c[3]), float(t[3]), float(c[4]), float(t[4])))
gates = {"lstm": 4, "gru": 3, "rnn": 1, "train": 4, "charlm1": 4, "charlm2": 4}
print(f"threads per side: {threads}; measured single-thread fp32 peak: {peak:.0f} GFLOP/s (% of peak below: of {threads} × that); {blas}")
print()
print("| cell | B,T,D,H | pass | PyTorch ms | AutoGradRnn ms | ratio (PyTorch/ours) | spread (per round) | ratio of means | CPU-time ratio | our GFLOP/s | % of peak | our allocated MB/op |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for case, xs in rows.items():
    cell, B, T, D, H, mode = case.split()
    B, T, D, H = int(B), int(T), int(D), int(H)
    ours = statistics.median(x[0] for x in xs)
    torch = statistics.median(x[2] for x in xs)
    alloc = statistics.median(x[1] for x in xs) / 1e6
    cpu_ratio = statistics.median(x[4] for x in xs) / statistics.median(x[3] for x in xs)
    flops = 2.0 * B * (D + H) * gates[cell] * H * T * (3 if mode == "fb" else 1)
    if cell.startswith("charlm"):
        # every layer's products (layer 0 reads the one-hot D = V columns, the others H) and the head's H x V, each x3
        layers = int(cell[len("charlm"):])
        flops += (layers - 1) * 2.0 * B * 2 * H * 4 * H * T * 3 + 2.0 * B * T * H * D * 3
    gf = flops / (ours / 1e3) / 1e9
    name = {"fb": "fwd+bwd", "f": "fwd"}[mode]
    if cell == "train": name = "train step (Adam)"
    if cell.startswith("charlm"): name = f"train-char step, {cell[len('charlm'):]} layer(s)"
    per_round = [x[2] / x[0] for x in xs]
    mean_ratio = statistics.median(x[6] for x in xs) / statistics.median(x[5] for x in xs)
    print(f"| {cell} | {B},{T},{D},{H} | {name} | {torch:.2f} | {ours:.2f} | {torch / ours:.2f}× | {min(per_round):.2f}–{max(per_round):.2f} | {mean_ratio:.2f}× | {cpu_ratio:.2f}× | {gf:.0f} | {100 * gf / (peak * threads):.0f} % | {alloc:.1f} |")
PYEOF
