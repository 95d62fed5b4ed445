#!/usr/bin/python3
"""PyTorch reference for AutoGradRnn's `autogradrnn train-char`.

Mirrors, step for step, what src/AutoGradRnn/Applications/CharLanguageModel.cs, Data/StreamBatches.cs,
Data/TextCorpus.cs and Training/Trainer.cs do, so that the validation bits per character and the time per step
can be compared with the C# library run with the same settings:

  text        data/moby_dick.txt read as strict UTF-8 (a leading BOM dropped), seen as UTF-16 code units
              like a .NET string (identical to Python characters for this file, which is all in the BMP)
  split       split = int(len(text) * (1 - 0.1)); train = text[:split], valid = text[split:]
  vocabulary  the distinct code units of the TRAIN split, sorted by code point (ordinal)
  valid ids   validation characters not in the vocabulary are dropped (CharVocabulary.EncodeKnown)
  batching    StreamBatching.Tokens: N ids -> B streams of L = N // B (remainder dropped);
              batch k = positions [k*T, k*T + T) of every stream, targets = the next position;
              number of batches = (L - 1) // T
  model       one-hot [B, T, V] -> recurrent cell (hidden H, `layers` layers) -> Linear(H, V)
  loss        mean cross-entropy over the B*T positions (nats)
  training    truncated BPTT: the final state of batch k, detached, starts batch k+1; the state is reset to
              zeros at the start of each epoch (= each pass over the batches, which wrap around until
              `steps` optimizer steps are done); Adam(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, no weight decay);
              clip_grad_norm_(max_norm=5) on all parameters (same formula as GradientClipping.ByGlobalNorm)
  validation  the validation ids batched the same way with
              validStreams = max(1, min(B, len(valid_ids) // (T + 1))), state carried from zero through all
              validation batches; bpc = (items-weighted mean cross-entropy) / ln 2

Initialisation (--init):
  autogradrnn (default) - what `train-char` does (CellInit's defaults): every weight U(+-1/sqrt(H)) (identical to
      PyTorch), but ONE bias vector per gate, U(+-1/sqrt(H)), and for the LSTM the forget-gate bias set to 1.0.
      PyTorch's cells have two bias vectors (bias_ih + bias_hh). To get AutoGradRnn's function and parameter set,
      bias_hh is set to zero and its gradient masked to zero (so Adam never moves it and clipping never sees it)
      wherever AutoGradRnn has a single bias: all of it for LSTM and RNN, the r and z blocks for the GRU (the GRU's
      candidate has two biases, b_nx and b_nh, in both libraries).
  pytorch - nn.LSTM/nn.GRU/nn.RNN's own default (both biases U(+-1/sqrt(H)), trained; forget bias not set).
  pytorch-forget1, single-bias - ablations: PyTorch's two trained biases with the forget bias (b_ih's block) set to
      1; AutoGradRnn's single bias without the forget-bias trick.
  The draws themselves cannot match AutoGradRnn's (different RNGs); only the distributions match.

The C# "gru" cell is GruResetAfter = PyTorch's nn.GRU; "rnn" is the tanh RNN = nn.RNN(nonlinearity="tanh").

Environment: the script sets OPENBLAS_NUM_THREADS/OMP_NUM_THREADS to --threads (default 1, like the C# CLI's
default --threads 1) and removes OPENBLAS_CORETYPE (which overrides OpenBLAS' CPU detection, possibly with a slower kernel) before
importing torch; the JSON records what was found and what BLAS is loaded.

Usage (from the repository root):
  /usr/bin/python3 bench/reference/charlm_pytorch.py --cell lstm --steps 2000 --eval-every 500 \
      --out bench/reference/results/charlm_lstm.json
"""
import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

# --init: (one bias per gate like AutoGradRnn, LSTM forget-gate bias 1)
INITS = {"autogradrnn": (True, True), "pytorch": (False, False),
         "pytorch-forget1": (False, True), "single-bias": (True, False)}   # the last two: ablations between the two
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--text", default=os.path.join(REPO, "data", "moby_dick.txt"))
    p.add_argument("--cell", default="lstm", choices=["lstm", "gru", "rnn"])
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--seq", type=int, default=64, help="truncated-BPTT length T")
    p.add_argument("--batch", type=int, default=32, help="parallel streams B")
    p.add_argument("--steps", type=int, default=2000, help="optimizer steps (the C# CLI's default is 1000)")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--clip", type=float, default=5.0)
    p.add_argument("--dropout", type=float, default=0.0,
                   help="nn.LSTM's dropout between stacked layers in training (train-char --dropout)")
    p.add_argument("--valid-fraction", type=float, default=0.1)
    p.add_argument("--eval-every", type=int, default=0,
                   help="also evaluate validation bpc every this many steps (0: only at the end)")
    p.add_argument("--init", default="autogradrnn", choices=list(INITS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default="", help="write the results as JSON here")
    return p.parse_args()


# --- environment: must happen before torch (and so OpenBLAS) is loaded -------------------------------------------
# Imported as a module (bench/compare-pytorch.sh times TrainingRun.step), the importer has set up its environment.
from blas import blas_info, pin_threads  # noqa: E402,F401  (imports only os: safe before torch)

if __name__ == "__main__":
    args = parse_args()
    ENV_FOUND = pin_threads(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402




# --- data -------------------------------------------------------------------------------------------------------
def load_utf16_units(path):
    """TextCorpus.Load: strict UTF-8, BOM dropped; returned as UTF-16 code units (a .NET string's chars)."""
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw:
        sys.exit(f"{path}: the file is empty")
    text = raw.decode("utf-8", errors="strict")
    return np.frombuffer(text.encode("utf-16-le", errors="surrogatepass"), dtype="<u2").astype(np.int64)


def stream_batches(ids, streams, steps):
    """StreamBatching.Tokens: list of (inputs [B,T], targets [B,T]) int64 tensors, in time order."""
    length = len(ids) // streams                       # L = floor(N / B), remainder dropped
    n_batches = (length - 1) // steps                  # each batch needs T inputs plus one more target
    if n_batches < 1:
        sys.exit(f"a sequence of {len(ids)} cannot fill {streams} streams of {steps} steps plus one target")
    grid = torch.from_numpy(np.ascontiguousarray(ids[: streams * length].reshape(streams, length)))
    return [(grid[:, k * steps: k * steps + steps].contiguous(), grid[:, k * steps + 1: k * steps + steps + 1].contiguous())
            for k in range(n_batches)]


# --- model ------------------------------------------------------------------------------------------------------
class CharModel(nn.Module):
    def __init__(self, cell, vocab, hidden, layers, dropout=0.0):
        super().__init__()
        self.cell, self.vocab = cell, vocab
        kind = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        extra = {"nonlinearity": "tanh"} if cell == "rnn" else {}
        self.rnn = kind(vocab, hidden, num_layers=layers, batch_first=True, dropout=dropout, **extra)
        self.head = nn.Linear(hidden, vocab)   # PyTorch's default U(+-1/sqrt(H)) weight and bias = Linear<float>.Create

    def forward(self, inputs, state):
        x = F.one_hot(inputs, self.vocab).to(torch.float32)   # one-hot [B, T, V], as Tensor.OneHot in the C#
        out, state = self.rnn(x, state)
        return self.head(out), state

    def initial_state(self, batch):
        h = torch.zeros(self.rnn.num_layers, batch, self.rnn.hidden_size)
        return (h, h.clone()) if self.cell == "lstm" else h


def apply_init(model, single_bias, forget1):
    """AutoGradRnn's CellInit() default is single_bias=True, forget1=True: one bias per gate (bias_hh zero and frozen by
    a gradient mask), LSTM forget-gate bias 1."""
    H = model.rnn.hidden_size
    for layer in range(model.rnn.num_layers):
        b_ih, b_hh = getattr(model.rnn, f"bias_ih_l{layer}"), getattr(model.rnn, f"bias_hh_l{layer}")
        with torch.no_grad():
            if forget1 and model.cell == "lstm":
                b_ih[H:2 * H] = 1.0                # PyTorch's gate order is i, f, g, o: forget gate = rows H..2H
                if not single_bias:
                    b_hh[H:2 * H] = 0.0            # so that b_ih + b_hh = 1 for the forget gate
        if single_bias:
            mask = torch.zeros_like(b_hh)
            if model.cell == "gru":
                mask[2 * H:] = 1.0                 # r, z: single bias; n: b_nh stays (it sits inside r * (...))
            with torch.no_grad():
                b_hh.mul_(mask)
            b_hh.register_hook(lambda g, m=mask: g * m)


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


@torch.no_grad()
def evaluate(model, batches, streams):
    """Trainer.Evaluate: items-weighted mean cross-entropy, state carried from zero through all batches."""
    model.eval()                                                 # no dropout in validation
    state = model.initial_state(streams)
    total, items = 0.0, 0
    for inputs, targets in batches:
        logits, state = model(inputs, state)
        loss = F.cross_entropy(logits.reshape(-1, model.vocab), targets.reshape(-1))
        total += float(loss) * targets.numel()
        items += targets.numel()
    model.train()
    return total / items


class TrainingRun:
    """One `train-char` run, a step at a time: the data, split, vocabulary, batches, model, init and optimizer of
    CharLanguageModel.Train. main() drives it; bench/compare-pytorch.sh times step() against the CLI's own step."""

    def __init__(self, text, cell="lstm", hidden=256, layers=1, seq=64, batch=32, lr=2e-3, clip=5.0,
                 valid_fraction=0.1, init="autogradrnn", dropout=0.0):
        units = load_utf16_units(text)
        split = int(len(units) * (1 - valid_fraction))          # (int)(text.Length * (1 - ValidationFraction))
        train_u, valid_u = units[:split], units[split:]
        vocab_units = np.unique(train_u)                         # sorted distinct code units of the train split
        lookup = np.full(65536, -1, dtype=np.int64)
        lookup[vocab_units] = np.arange(len(vocab_units))
        self.train_ids = lookup[train_u]
        valid_ids = lookup[valid_u]
        self.dropped = int((valid_ids < 0).sum())
        self.valid_ids = valid_ids[valid_ids >= 0]               # EncodeKnown: unknown validation characters dropped
        self.V = V = len(vocab_units)
        self.B, self.T, self.clip = batch, seq, clip
        self.train_batches = stream_batches(self.train_ids, batch, seq)
        self.valid_streams = max(1, min(batch, len(self.valid_ids) // (seq + 1)))
        self.valid_batches = stream_batches(self.valid_ids, self.valid_streams, seq)
        self.model = CharModel(cell, V, hidden, layers, dropout)
        apply_init(self.model, *INITS[init])
        self.params = [p for p in self.model.parameters()]
        self.opt = torch.optim.Adam(self.params, lr=lr)          # betas (0.9, 0.999), eps 1e-8, no weight decay
        self.done, self.state = 0, None

    def step(self):
        """One optimizer step on the next batch; returns the loss and the gradient norm (as tensors)."""
        k = self.done % len(self.train_batches)
        if k == 0:
            self.state = self.model.initial_state(self.B)        # each epoch starts from a zero state
        inputs, targets = self.train_batches[k]
        self.opt.zero_grad(set_to_none=True)
        logits, final = self.model(inputs, self.state)
        loss = F.cross_entropy(logits.reshape(-1, self.V), targets.reshape(-1))
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(self.params, self.clip) if self.clip > 0 else \
            torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in self.params]))
        self.opt.step()
        self.state = detach(final)                               # truncated BPTT: carry the state, cut the graph
        self.done += 1
        return loss, norm


def main():
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    run = TrainingRun(args.text, args.cell, args.hidden, args.layers, args.seq, args.batch, args.lr, args.clip,
                      args.valid_fraction, args.init, args.dropout)
    V, B, T = run.V, args.batch, args.seq
    train_ids, valid_ids, dropped = run.train_ids, run.valid_ids, run.dropped
    train_batches, valid_batches, valid_streams = run.train_batches, run.valid_batches, run.valid_streams
    model = run.model

    print(f"{args.cell} H={args.hidden}x{args.layers}, init={args.init}: vocabulary {V}, train {len(train_ids):,} chars "
          f"-> {len(train_batches)} batches of {B}x{T}; validation {len(valid_ids):,} chars ({dropped} dropped) "
          f"-> {len(valid_batches)} batches of {valid_streams}x{T}; torch {torch.__version__}, {torch.get_num_threads()} thread(s)",
          flush=True)

    evals = []           # (step, val_bpc)
    step_ms, losses, norms = [], [], []
    train_seconds = 0.0
    for step in range(args.steps):
        t0 = time.perf_counter()
        loss, norm = run.step()
        dt = time.perf_counter() - t0
        train_seconds += dt
        step_ms.append(dt * 1000)
        losses.append(float(loss))
        norms.append(float(norm))
        if not (math.isfinite(losses[-1]) and math.isfinite(norms[-1])):
            sys.exit(f"training diverged at step {step + 1}: loss {losses[-1]}, norm {norms[-1]}")
        done = step + 1
        if (args.eval_every > 0 and done % args.eval_every == 0) or done == args.steps:
            if not evals or evals[-1][0] != done:
                e0 = time.perf_counter()
                bpc = evaluate(model, valid_batches, valid_streams) / math.log(2)
                evals.append((done, bpc))
                print(f"step {done}: train bpc {losses[-1] / math.log(2):.3f} (last step), val bpc {bpc:.4f} "
                      f"(eval {time.perf_counter() - e0:.1f} s); median {statistics.median(step_ms):.1f} ms/step", flush=True)
        elif done % 100 == 0:
            print(f"step {done}: train bpc {losses[-1] / math.log(2):.3f}, median {statistics.median(step_ms):.1f} ms/step",
                  flush=True)

    result = {
        "script": "bench/reference/charlm_pytorch.py",
        "mirrors": "autogradrnn train-char",
        "cell": args.cell, "hidden": args.hidden, "layers": args.layers, "init": args.init,
        "seq": T, "batch": B, "lr": args.lr, "clip": args.clip, "dropout": args.dropout, "seed": args.seed, "threads": args.threads,
        "vocabulary": V, "train_characters": int(len(train_ids)), "train_batches": len(train_batches),
        "validation_characters_used": len(valid_batches) * valid_streams * T, "validation_streams": valid_streams,
        "validation_batches": len(valid_batches), "dropped_validation_characters": dropped,
        "steps": args.steps, "epochs_started": (args.steps + len(train_batches) - 1) // len(train_batches),
        "val_bpc": evals[-1][1],
        "val_bpc_at": {str(s): b for s, b in evals},
        "ms_per_step_median": statistics.median(step_ms),
        "ms_per_step_mean": statistics.fmean(step_ms),
        "train_seconds": train_seconds,
        "chars_per_second": args.steps * B * T / train_seconds,
        "final_train_bpc_mean_last_100": statistics.fmean(losses[-100:]) / math.log(2),
        "train_bpc_every_step": [round(l / math.log(2), 5) for l in losses],
        "grad_norm_every_step": [round(n, 5) for n in norms],
        "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
        "blas": blas_info(), "environment_found": ENV_FOUND,
        "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
        "load_average_at_end": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d"),
    }
    print(json.dumps({k: v for k, v in result.items() if not k.endswith("every_step")}, indent=1))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
