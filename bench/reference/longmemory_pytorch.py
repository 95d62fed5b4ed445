#!/usr/bin/python3
"""PyTorch reference for AutoGradRnn's `autogradrnn long-memory`.

Runs the protocol of src/AutoGradRnn.Applications/LongMemory.cs (driven by `long-memory` in
src/AutoGradRnn.Cli/Commands.cs), step for step, so the accuracy (recall) or MSE (adding) of each cell, gap,
initialisation and seed can be compared with the C# run with the same settings:

  configurations  for gap in gaps, for cell in cells, for init in inits, for seed in seed .. seed+seeds-1
                  (LongMemory.Run: the same nesting and order)
  length          LongMemory.Length: adding T = gap; recall, key first: gap + 2; recall, key random: 2*gap + 2
  recall data     LongMemory.Sample: vocabulary V = keys + distractors + 1 (ids 0..keys-1 keys, then the
                  distractors, the last id the query token); every step a uniform distractor; the key position
                  0 (first) or uniform in [0, gap] (random); label uniform in [0, keys); ids[position] = label;
                  ids[T-1] = query; inputs one-hot [B, T, V] float32 (Tensor.OneHot)
                  (--no-query, not in the C#: the last step keeps its distractor; V is unchanged, so with the same
                  seed the model init and every data draw are the same as with the query, a paired comparison)
  adding data     LongMemory.Sample: first marker uniform in [0, max(1, T//2)), second in [T//2, T) (if equal,
                  second = (first + 1) % T); channel 0 = U[0, 1) values (float32), channel 1 = the two markers;
                  target = value[first] + value[second] (float32 sum, in that order)
  model           one recurrent cell (hidden H) unrolled from a zero state over the whole sequence -> its final
                  hidden state h_T -> Linear(H, keys) (recall) or Linear(H, 1) (adding)
                  (Sequence.Unroll(...).Final, cell.Output = h, Linear<float>.Create)
  loss            recall: mean cross-entropy over the batch (Ops.CrossEntropy); adding: mean squared error
                  over the [B, 1] outputs against the sums (Ops.MeanSquaredError)
  training        Trainer.Fit with Epochs = 1, Shuffle = false over `steps` batches of `batch` fresh sequences,
                  drawn one batch at a time from one generator (BatchStream, seed + 3000);
                  Adam(lr, betas (0.9, 0.999), eps 1e-8, no weight decay); before each step the gradient's
                  global norm is clipped to `clip` with coefficient clip / (norm + 1e-6) (GradientClipping
                  .ByGlobalNorm = torch.nn.utils.clip_grad_norm_); clip 0: none. A non-finite loss or norm stops
                  the experiment, as Trainer's TrainingDivergedException does (results so far are still written)
  final loss      the loss of the last training step, before its update (TrainingResult.StepLosses[^1])
  evaluation      EvaluationSize = 512 fresh sequences from their own generator (seed + 4000), one forward pass;
                  recall: accuracy of argmax (Metrics.ArgMax: first maximum), adding: MSE (float32)
  chance          recall 1/keys; adding 1/6 (= E[(s - 1)^2] for s = U + U: always answering 1.0)
  seeds           cell seed + 1000, head seed + 2000, Chrono draws seed + 77, training data seed + 3000,
                  evaluation data seed + 4000, as in LongMemory.Experiment. The streams are torch's (cell, head)
                  and numpy's PCG64 (data, Chrono); they cannot match AutoGradRnn's Rng bit for bit, only the
                  distributions match.

The cells: "gru" is AutoGradRnn's GruResetAfter = nn.GRU; "lstm" = nn.LSTM (PyTorch gate order i, f, g, o);
"rnn" = nn.RNN(nonlinearity="tanh"). Weights U(+-1/sqrt(H)) in both libraries (CellInit.GateWeight with
WeightInit.PyTorchUniform); the head U(+-1/sqrt(H)) weight and bias in both (Linear<float>.Create = nn.Linear).

Initialisation (--init; LongMemory.InitFor: default -> CellInit.PyTorch, forget1 and chrono ->
new CellInit { UnitForgetBias = true }, chrono then CellInit.Chrono(cell, Length(gap), Rng(seed + 77))):
  AutoGradRnn's cells have ONE bias vector per gate (Lstm: Bf, Bi, Bc, Bo; Rnn: B; GruResetAfter: Br, Bz and the
  candidate's two, Bnx and Bnh), each U(+-1/sqrt(H)) (CellInit.Bias), for CellInit.PyTorch as for any other
  CellInit: CellInit.PyTorch only turns the forget-bias trick off, it does not add PyTorch's second bias.
  nn.LSTM/nn.GRU/nn.RNN have two trained bias vectors (bias_ih + bias_hh). With --biases single (the default) the
  script reproduces AutoGradRnn's function and parameter set as bench/reference/charlm_pytorch.py's apply_init
  does: bias_hh is zeroed and its gradient masked to zero (Adam never moves it, clipping never sees it) wherever
  AutoGradRnn has one bias: all of it for LSTM and RNN, the r and z blocks for the GRU (b_hn = Bnh stays).
  --biases two keeps PyTorch's two trained biases (an ablation; the gate values below are then put in bias_ih
  and the same blocks of bias_hh set to 0, still trained).
  default  every bias U(+-1/sqrt(H)) (CellInit.PyTorch: UnitForgetBias = false)
  forget1  LSTM forget-gate bias = 1 (bias_ih rows H..2H); GRU and RNN: the same as default (UnitForgetBias
           only touches LSTM forget gates)
  chrono   LSTM: b_f = log(1 + u * max(T - 2, 1e-3)), u ~ U[0, 1) per unit (= log U(1, T - 1)), b_i = -b_f
           (bias_ih rows H..2H and 0..H); GRU (reset after = nn.GRU, where z weights the OLD state):
           b_z = +log U(1, T - 1) (bias_ih rows H..2H); RNN: no gate, the same as forget1 = default.
           T = the sequence length actually unrolled (LongMemory.Length).

CLI defaults are LongMemoryOptions' (= the C# CLI's): --task recall --placement random --gaps 5,10,20,50,100
--cells rnn,lstm,gru --init default --seeds 3 --seed 0 --hidden 32 --steps 3000 --batch 32 --lr 0.01 --clip 1
--keys 4 --distractors 8 --eval-size 512. --keys, --distractors and --eval-size are options of the C# record, not
of the C# CLI. For --task adding, --gaps (alias --lengths, the C# CLI's name) are the sequence lengths T.

Environment: the script sets OPENBLAS_NUM_THREADS/OMP_NUM_THREADS to --threads (default 1; pass the same to the C# CLI
as --threads 1 when timing) and removes OPENBLAS_CORETYPE (which overrides OpenBLAS' CPU detection) before importing
torch/numpy; the JSON records what was found and what BLAS is loaded. Deterministic: a re-run with the same
settings gives the same numbers.

Usage (from the repository root):
  /usr/bin/python3 bench/reference/longmemory_pytorch.py --task recall --placement random --gaps 100 \
      --cells gru,lstm,rnn --init default,forget1,chrono --out bench/reference/results/longmemory_recall_random.json
  /usr/bin/python3 bench/reference/longmemory_pytorch.py --task adding --gaps 50,100 --out ...
"""
import argparse
import json
import math
import os
import platform
import sys
import time

CELLS = ("rnn", "lstm", "gru")
INITS = ("default", "forget1", "chrono")


def int_list(text):
    try:
        values = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma list of integers")
    if not values:
        raise argparse.ArgumentTypeError("the list is empty")
    return values


def name_list(allowed):
    def parse(text):
        values = [s.strip().lower() for s in text.split(",") if s.strip()]
        bad = [v for v in values if v not in allowed]
        if not values or bad:
            raise argparse.ArgumentTypeError(f"'{text}': expected a comma list of {', '.join(allowed)}")
        return values
    return parse


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--task", default="recall", choices=["recall", "adding"])
    p.add_argument("--placement", default="random", choices=["first", "random"], help="recall: where the key goes")
    p.add_argument("--gaps", "--lengths", dest="gaps", type=int_list, default=[5, 10, 20, 50, 100],
                   help="recall: distractor steps between key and question; adding: sequence lengths T (comma list)")
    p.add_argument("--cells", type=name_list(CELLS), default=["rnn", "lstm", "gru"])
    p.add_argument("--init", type=name_list(INITS), default=["default"], help="comma list of default, forget1, chrono")
    p.add_argument("--biases", default="single", choices=["single", "two"],
                   help="single: one bias per gate like AutoGradRnn (default); two: PyTorch's bias_ih + bias_hh (ablation)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per configuration")
    p.add_argument("--seed", type=int, default=0, help="first seed: runs use seed .. seed + seeds - 1")
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--steps", type=int, default=3000, help="Adam steps (= fresh batches) per run")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--clip", type=float, default=1.0, help="global gradient-norm clip (0: none)")
    p.add_argument("--keys", type=int, default=4, help="recall: key symbols (chance 1/keys)")
    p.add_argument("--distractors", type=int, default=8, help="recall: distractor symbols")
    p.add_argument("--no-query", action="store_true",
                   help="recall: no query token at the last step (it stays a distractor); not in the C#")
    p.add_argument("--eval-size", type=int, default=512, help="fresh sequences in the evaluation (LongMemoryOptions.EvaluationSize)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default="", help="write all runs as JSON here")
    a = p.parse_args()
    # LongMemory.Run's checks
    if any(g < 1 for g in a.gaps):
        p.error(f"gaps {a.gaps} must be >= 1")
    if a.seeds < 1 or a.hidden < 1 or a.steps < 1 or a.batch < 1 or a.keys < 2 or a.distractors < 1:
        p.error("seeds, hidden, steps, batch and distractors must be >= 1, keys >= 2")
    if not (a.lr > 0 and math.isfinite(a.lr)):
        p.error(f"learning rate {a.lr} must be a finite number > 0")
    if not (a.clip >= 0 and math.isfinite(a.clip)):
        p.error(f"clip {a.clip} must be a finite number >= 0 (0: no clipping)")
    if a.seed < 0 or a.seed > 2**31 - 1 - 5000 - a.seeds:
        p.error(f"first seed {a.seed} must be in [0, {2**31 - 1 - 5000 - a.seeds}]")
    if a.eval_size < 1 or a.threads < 1:
        p.error("eval-size and threads must be >= 1")
    if a.no_query and a.task != "recall":
        p.error("--no-query is for --task recall")
    return a


# --- environment: must happen before torch/numpy (and so OpenBLAS) are loaded ---------------------------------------
from blas import blas_info, pin_threads  # noqa: E402,F401  (imports only os: safe before torch)

if __name__ == "__main__":
    args = parse_args()
    ENV_FOUND = pin_threads(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402




# --- the protocol ---------------------------------------------------------------------------------------------------
def length(a, gap):
    """LongMemory.Length: the steps actually unrolled."""
    if a.task == "adding":
        return gap
    return gap + 2 if a.placement == "first" else 2 * gap + 2


def sizes(a):
    """(inputs, outputs) of LongMemory.Experiment.Visit; --no-query keeps the vocabulary (the query id is just unused)."""
    return (2, 1) if a.task == "adding" else (a.keys + a.distractors + 1, a.keys)


def sample(a, gap, size, rng):
    """LongMemory.Sample: `size` fresh sequences. Returns (x [size, T, inputs] float32, labels [size] int64,
    sums [size, 1] float32). The draws are vectorised (numpy), from the same distributions as the C#'s."""
    t = length(a, gap)
    rows = np.arange(size)
    if a.task == "adding":
        half = t // 2
        first = rng.integers(0, max(1, half), size)                  # rng.NextInt(Math.Max(1, t / 2))
        second = half + rng.integers(0, t - half, size)              # t / 2 + rng.NextInt(t - t / 2)
        second = np.where(second == first, (first + 1) % t, second)  # only possible at T = 1
        x = np.zeros((size, t, 2), dtype=np.float32)
        x[:, :, 0] = rng.random((size, t)).astype(np.float32)        # (float)rng.NextDouble()
        x[rows, first, 1] = 1
        x[rows, second, 1] = 1
        sums = (np.float32(0) + x[rows, first, 0]) + x[rows, second, 0]   # float sums, first then second
        return torch.from_numpy(x), torch.zeros(size, dtype=torch.int64), torch.from_numpy(sums.reshape(size, 1))
    vocab = a.keys + a.distractors + 1
    query = vocab - 1
    ids = a.keys + rng.integers(0, a.distractors, (size, t))         # every step a distractor
    position = np.zeros(size, dtype=np.int64) if a.placement == "first" else rng.integers(0, gap + 1, size)
    labels = rng.integers(0, a.keys, size)
    ids[rows, position] = labels                                     # the key
    if not a.no_query:
        ids[:, t - 1] = query                                        # the question, at the last step
    x = F.one_hot(torch.from_numpy(ids), vocab).to(torch.float32)    # Tensor.OneHot<float>(ids, vocab)
    return x, torch.from_numpy(labels), torch.zeros(size, 1)


class Model(nn.Module):
    """LongMemory.Model: the cell's final hidden state -> Linear head."""

    def __init__(self, cell, inputs, hidden, outputs, seed):
        super().__init__()
        self.cell = cell
        torch.manual_seed(1000 + seed)                               # create(inputs, o.Hidden, 1000 + seed)
        kind = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        extra = {"nonlinearity": "tanh"} if cell == "rnn" else {}
        self.rnn = kind(inputs, hidden, batch_first=True, **extra)   # weights and biases U(+-1/sqrt(H))
        torch.manual_seed(2000 + seed)                               # Linear<float>.Create(o.Hidden, outputs, 2000 + seed)
        self.head = nn.Linear(hidden, outputs)                       # U(+-1/sqrt(H)) weight and bias, as the C#

    def forward(self, x):
        _, state = self.rnn(x)                                       # zero initial state, unrolled over all T steps
        h = state[0] if self.cell == "lstm" else state               # [layers = 1, B, H]: the final h_T
        return self.head(h[-1])


def chrono_draw(hidden, t, seed):
    """CellInit.Chrono's Draw: log(1 + u * max(T - 2, 1e-3)), u ~ U[0, 1), from its own generator (seed + 77)."""
    u = np.random.Generator(np.random.PCG64(seed + 77)).random(hidden)
    return torch.from_numpy(np.log(1 + u * max(t - 2, 1e-3)).astype(np.float32))


def apply_init(model, init, t, seed, biases):
    """LongMemory.InitFor + CellInit.Chrono, in AutoGradRnn's bias layout (biases == "single") or PyTorch's ("two")."""
    rnn, cell, H = model.rnn, model.cell, model.rnn.hidden_size
    b_ih, b_hh = rnn.bias_ih_l0, rnn.bias_hh_l0
    with torch.no_grad():
        if init in ("forget1", "chrono") and cell == "lstm":         # new CellInit { UnitForgetBias = true }: b_f = 1
            b_ih[H:2 * H] = 1.0                                      # gate order i, f, g, o
            b_hh[H:2 * H] = 0.0                                      # so b_ih + b_hh = 1 (with "single" it is 0 anyway)
        if init == "chrono" and cell in ("lstm", "gru"):
            b = chrono_draw(H, t, seed)
            if cell == "lstm":                                       # l with { Bf = b, Bi = -b }
                b_ih[H:2 * H] = b
                b_ih[0:H] = -b
                b_hh[0:2 * H] = 0.0
            else:                                                    # GruResetAfter: g with { Bz = b } (z keeps the old state)
                b_ih[H:2 * H] = b                                    # gate order r, z, n
                b_hh[H:2 * H] = 0.0
    if biases == "single":
        mask = torch.zeros_like(b_hh)
        if cell == "gru":
            mask[2 * H:] = 1.0                                       # b_hn = Bnh: the GRU candidate's second bias is real in both
        with torch.no_grad():
            b_hh.mul_(mask)
        b_hh.register_hook(lambda g, m=mask: g * m)                  # never trained: Adam sees a zero gradient, clipping too


class Diverged(Exception):
    pass


def run_one(a, cell, init, gap, seed):
    """LongMemory.Experiment.Visit for one configuration."""
    inputs, outputs = sizes(a)
    t = length(a, gap)
    model = Model(cell, inputs, a.hidden, outputs, seed)
    apply_init(model, init, t, seed, a.biases)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=a.lr)                          # betas (0.9, 0.999), eps 1e-8, no weight decay
    train_rng = np.random.Generator(np.random.PCG64(3000 + seed))    # BatchStream(o, gap, o.Steps, 3000 + seed)

    def loss_of(out, labels, sums):
        return F.mse_loss(out, sums) if a.task == "adding" else F.cross_entropy(out, labels)

    losses = []
    t0 = time.perf_counter()
    for step in range(a.steps):
        x, labels, sums = sample(a, gap, a.batch, train_rng)
        opt.zero_grad(set_to_none=True)
        loss = loss_of(model(x), labels, sums)
        loss.backward()
        if a.clip > 0:
            norm = torch.nn.utils.clip_grad_norm_(params, a.clip)   # coefficient clip / (norm + 1e-6), capped at 1
        else:
            norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in params if p.grad is not None]))
        l, n = float(loss), float(norm)
        if not (math.isfinite(l) and math.isfinite(n)):
            raise Diverged(f"{cell}/{init} gap {gap} seed {seed}: training diverged at step {step + 1}: loss {l}, norm {n}")
        opt.step()
        losses.append(l)
    train_seconds = time.perf_counter() - t0

    e0 = time.perf_counter()
    x, labels, sums = sample(a, gap, a.eval_size, np.random.Generator(np.random.PCG64(4000 + seed)))
    with torch.no_grad():
        out = model(x)
        if a.task == "adding":
            metric = float(F.mse_loss(out, sums))
        else:
            metric = float((out.argmax(dim=1) == labels).to(torch.float64).mean())
    eval_seconds = time.perf_counter() - e0
    chance = 1.0 / 6 if a.task == "adding" else 1.0 / a.keys
    window = max(1, a.steps // 100)
    curve = [round(float(np.mean(losses[i:i + window])), 5) for i in range(0, len(losses), window)]
    return {
        # the fields of the C# LongMemoryResult, named as in its results.json
        "Cell": cell, "Init": init, "Gap": gap, "Seed": seed, "Metric": metric, "Chance": chance,
        "FinalLoss": losses[-1], "SequenceLength": t,
        # extra
        "Seconds": train_seconds, "EvalSeconds": eval_seconds,
        "MeanLossLast100": float(np.mean(losses[-100:])),
        "LossCurveWindow": window, "LossCurve": curve,
    }


def summarise(results, a):
    """Per (cell, init, gap): mean, min, max over seeds, and the C# CLI's "mean ± half-range"."""
    out = []
    for gap in a.gaps:
        for cell in a.cells:
            for init in a.init:
                ms = [r["Metric"] for r in results if (r["Cell"], r["Init"], r["Gap"]) == (cell, init, gap)]
                if ms:
                    out.append({"Cell": cell, "Init": init, "Gap": gap, "Seeds": len(ms), "Mean": float(np.mean(ms)),
                                "Min": min(ms), "Max": max(ms), "HalfRange": (max(ms) - min(ms)) / 2})
    return out


def main():
    a = args
    torch.set_num_threads(a.threads)
    metric_name = "MSE" if a.task == "adding" else "accuracy"
    gap_name = "T" if a.task == "adding" else "gap"
    inputs, outputs = sizes(a)
    print(f"long-memory ({a.task}{'' if a.task == 'adding' else ', key ' + a.placement}{', no query' if a.no_query else ''}): "
          f"{gap_name}s {a.gaps}, cells {a.cells}, init {a.init} ({a.biases} bias per gate), seeds {a.seed}..{a.seed + a.seeds - 1}, "
          f"H={a.hidden}, {a.steps} steps x {a.batch}, Adam {a.lr}, clip {a.clip}, inputs {inputs}, outputs {outputs}, "
          f"eval {a.eval_size}; torch {torch.__version__}, {torch.get_num_threads()} thread(s)", flush=True)

    results, diverged = [], None
    started = time.perf_counter()
    try:
        for gap in a.gaps:
            for cell in a.cells:
                for init in a.init:
                    for seed in range(a.seed, a.seed + a.seeds):
                        r = run_one(a, cell, init, gap, seed)
                        results.append(r)
                        print(f"{cell}/{init} {gap_name} {gap} (T={r['SequenceLength']}) seed {seed}: {metric_name} {r['Metric']:.3f} "
                              f"(chance {r['Chance']:.3f}), final loss {r['FinalLoss']:.4f}, {r['Seconds']:.1f} s", flush=True)
    except Diverged as e:
        diverged = str(e)
        print(diverged, file=sys.stderr, flush=True)

    summary = summarise(results, a)
    print(f"\n{metric_name} over seeds (mean, min, max, ± half-range); chance {results[0]['Chance'] if results else float('nan'):.3f}")
    for s in summary:
        print(f"{s['Cell']:>4}/{s['Init']:<8} {gap_name} {s['Gap']:>5}: mean {s['Mean']:.3f}  min {s['Min']:.3f}  max {s['Max']:.3f}  "
              f"(± {s['HalfRange']:.3f}, {s['Seeds']} seeds)")

    result = {
        "script": "bench/reference/longmemory_pytorch.py",
        "mirrors": "autogradrnn long-memory (AutoGradRnn.Applications/LongMemory.cs)",
        "Task": a.task, "Placement": a.placement,
        "options": {"gaps": a.gaps, "cells": a.cells, "inits": a.init, "biases": a.biases, "seeds": a.seeds,
                    "first_seed": a.seed, "hidden": a.hidden, "steps": a.steps, "batch": a.batch, "lr": a.lr,
                    "clip": a.clip, "keys": a.keys, "distractors": a.distractors, "query": not a.no_query,
                    "eval_size": a.eval_size, "threads": a.threads},
        "Results": results,
        "summary": summary,
        "diverged": diverged,
        "total_seconds": time.perf_counter() - started,
        "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
        "blas": blas_info(), "environment_found": ENV_FOUND,
        "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
        "load_average_at_end": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d"),
    }
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        print(f"wrote {a.out}")
    if diverged:
        sys.exit(1)


if __name__ == "__main__":
    main()
