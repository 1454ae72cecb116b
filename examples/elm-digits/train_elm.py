#!/usr/bin/env python3
"""Train a Branch-ELM (arXiv 2306.16922) on the 8x8 digits read row by row,
quantise it to SPEC section 7's integer ELM and check the integer model.

Inputs (in the repository):
    examples/digits/digits.csv   1797 images, 64 pixels 0..16 and a label
                                 (sha256 checked; CC BY 4.0, Alpaydin & Kaynak)
    examples/digits/split.json   the shipped train (1257) / test (540) rows

Outputs (next to this script, overwritten on every run):
    elm_layer.json     the SPEC section 5 `layer` object, neuron kind `elm`
    test_case.json     a SPEC section 5 case: that layer and the 540 test
                       images as `spikes` samples (one sample per line)
    elm_float.json     the trained float parameters (after the decays were
                       snapped to shifts), for reference
    train_report.json  versions, seeds, hyper-parameters, float and integer
                       accuracies, the shifts and their tau error, and the
                       integer predictions of all 540 test images

The task. Each image is presented row by row: T = 8 steps, step t sees row t.
Each row is spike-encoded into 16 ternary lanes (see `encode`):
    lane p      (p = 0..7)  level: +1 if pixel[t][p] >= 8, else 0
    lane 8 + p  (p = 0..7)  edge:  +1 if pixel[t][p] - pixel[t-1][p] >= 4,
                                   -1 if it is <= -4, else 0 (row -1 is 0)
The class is the argmax of the readout r at the last step (first index wins
ties), as SPEC section 7 says.

The float model is SPEC section 7 with real numbers (per step t, s = spikes):
    I  = W s                                  W [branches][16]
    q  = kappa_s q + I                        one trace decay for all branches
    md = kappa_m * m                          one decay per memory unit
    z  = Wb q + Wm md                         (no hidden bias, see below)
    a  = min(max(z, 0), A)                    clipped ReLU, A = HIDDEN_CLIP
    y  = Wd a                                 (no output bias, see below)
    dm = 1.7159 tanh(2 y / 3)
    m  = md + lambda (1 - kappa_m) dm
    r  = R m                                  (no readout bias)
Phase 1 learns every weight and the decays (kappa = exp(-1/tau), tau
parametrised as 1 + exp(theta)). The decays are then snapped to shifts,
kappa = 1 - 2^-k with k the shift whose effective time constant
tau_eff(k) = -1/ln(1 - 2^-k) is nearest to the learned tau in log scale, and
phase 2 fine-tunes the weights with those decays fixed. So the float model
that is quantised has exactly the integer model's decays.

Why no biases: SPEC 7 bounds every bias by mlp_bits but adds it at the scale
of the accumulator it joins (z, y, r), whose scale is the product of two
quantisation scales. A bias could then only be about 1/2^(mlp_bits-1) of one
weight's contribution, i.e. nothing; so the float model is trained without
them and the integer biases are 0.

Quantisation (integers, every shift floors; see `quantise`):
    W_int  = round(W * Sw),  Sw = (2^(weight_bits-1) - 1) / max|W|
    q_int  has scale Sq = Sw * 2^trace_frac_bits
    table  scale S = (2^(mlp_bits-1) - 1) / 1.7159; m_int has scale S
    Wb_int = round(Wb * Sz/Sq), Wm_int = round(Wm * Sz/S): both sums land on
             one scale Sz, the largest that keeps both within mlp_bits
    hidden_shift = round(log2(Sz * A / hidden_max_target)); Sa = Sz / 2^hidden_shift;
             hidden_max = round(A * Sa)
    Wd_int = round(Wd * Sd), Sd = (2^(mlp_bits-1) - 1) / max|Wd|; Sy = Sd * Sa
    table_shift = ceil(log2(Sy * Y / L)), so the index scale Si = Sy /
             2^table_shift puts [-Y, Y) (at least) on the 2L entries; entry
             i (index y_int >> table_shift = i - L) is
             round(S * 1.7159 tanh(2 x / 3)) at the midpoint x = (i - L + 0.5)/Si
             of the y interval that floors to it
    R_int  = round(R * (2^(mlp_bits-1) - 1) / max|R|)
Only powers of two (hidden_shift, table_shift, trace_frac_bits) rescale on the
integer path; the other scale ratios are absorbed in the weights, hidden_max
and the table.

Requirements: Python 3.11, numpy, jax[cpu] (versions in train_report.json).
Run from the repository root:
    python3 examples/elm-digits/train_elm.py
Deterministic: seeded, float64, BLAS/XLA pinned to one thread. The integer
forward pass (`int_forward`) is SPEC section 7 exactly; the Rust test
golden-model/tests/elm_digits.rs checks the golden model agrees on all 540
test images.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["JAX_PLATFORMS"] = "cpu"
os.environ["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=false "
                           "intra_op_parallelism_threads=1")
os.environ["JAX_ENABLE_X64"] = "1"

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jaxlib  # noqa: E402
import jax.numpy as jnp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "digits")
DIGITS_CSV_SHA256 = "d7ff1341011182b7af3733b201a919cea2ffe00f25ff23ba48c5e791daffb498"

T = 8
INPUTS = 16
CLASSES = 10

CONFIG = {
    "seed": 0,
    "level_threshold": 8,
    "edge_threshold": 4,
    "branches": 16,
    "memory": 8,
    "hidden": 32,
    "lambda": 5,
    "hidden_clip": 1.0,
    "tau_s_init": 2.0,
    "tau_m_init": [1.5, 16.0],   # log-spaced over the memory units
    "phase1_epochs": 150,
    "phase2_epochs": 60,
    "batch": 64,
    "lr": 1e-2,
    "lr_final": 1e-3,
    "weight_decay": 1e-5,
    # quantisation
    "weight_bits": 8,
    "mlp_bits": 8,
    "trace_frac_bits": 2,
    "hidden_max_target": 255,
    "table_len": 256,
    "table_range": 4.0,
}


# ---------------------------------------------------------------- data ----

def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_digits():
    path = os.path.join(DIGITS, "digits.csv")
    sha = sha256_file(path)
    assert sha == DIGITS_CSV_SHA256, f"digits.csv changed (sha256 {sha})"
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64)
    assert data.shape == (1797, 65)
    with open(os.path.join(DIGITS, "split.json"), encoding="utf-8") as f:
        split = json.load(f)
    return data[:, :64].reshape(-1, 8, 8), data[:, 64], split


def encode(images, cfg):
    """[N][8][8] pixels 0..16 -> [N][T=8][16] ternary spikes (int64)."""
    level = (images >= cfg["level_threshold"]).astype(np.int64)
    prev = np.concatenate([np.zeros_like(images[:, :1]), images[:, :-1]], axis=1)
    d = images - prev
    th = cfg["edge_threshold"]
    edge = (d >= th).astype(np.int64) - (d <= -th).astype(np.int64)
    return np.concatenate([level, edge], axis=2)


# ---------------------------------------------------------- float ELM ----

def tau_eff(k):
    """The time constant of the decay 1 - 2^-k: kappa = exp(-1/tau)."""
    return -1.0 / math.log(1.0 - 2.0 ** -k)


def snap(tau):
    """The shift k in 1..16 whose tau_eff(k) is nearest to tau in log scale."""
    return min(range(1, 17), key=lambda k: abs(math.log(tau_eff(k)) - math.log(tau)))


def init_params(cfg, key):
    b, m, h = cfg["branches"], cfg["memory"], cfg["hidden"]
    ks = jax.random.split(key, 5)
    lo, hi = cfg["tau_m_init"]
    taus = np.exp(np.linspace(math.log(lo), math.log(hi), m))
    return {
        "W": jax.random.normal(ks[0], (b, INPUTS)) / math.sqrt(INPUTS),
        "Wb": jax.random.normal(ks[1], (h, b)) / math.sqrt(b) * 0.3,
        "Wm": jax.random.normal(ks[2], (h, m)) / math.sqrt(m) * 0.3,
        "Wd": jax.random.normal(ks[3], (m, h)) / math.sqrt(h),
        "R": jax.random.normal(ks[4], (CLASSES, m)) / math.sqrt(m),
        "theta_s": jnp.array(math.log(cfg["tau_s_init"] - 1.0)),
        "theta_m": jnp.array(np.log(taus - 1.0)),
    }


def kappas(p, fixed):
    """(kappa_s, kappa_m): learned from theta, or the snapped shifts."""
    if fixed is not None:
        ks, km = fixed
        return 1.0 - 2.0 ** -ks, 1.0 - 2.0 ** -jnp.asarray(km, dtype=jnp.float64)
    return (jnp.exp(-1.0 / (1.0 + jnp.exp(p["theta_s"]))),
            jnp.exp(-1.0 / (1.0 + jnp.exp(p["theta_m"]))))


def float_forward(p, spikes, cfg, fixed=None):
    """spikes [N][T][16] -> readout at the last step [N][10]."""
    k_s, k_m = kappas(p, fixed)
    lam, clip = cfg["lambda"], cfg["hidden_clip"]
    n = spikes.shape[0]

    def step(carry, s):
        q, m = carry
        q = k_s * q + s @ p["W"].T
        md = k_m * m
        z = q @ p["Wb"].T + md @ p["Wm"].T
        a = jnp.clip(z, 0.0, clip)
        y = a @ p["Wd"].T
        dm = 1.7159 * jnp.tanh(2.0 * y / 3.0)
        m = md + lam * (1.0 - k_m) * dm
        return (q, m), None

    q0 = jnp.zeros((n, cfg["branches"]))
    m0 = jnp.zeros((n, cfg["memory"]))
    (_, m), _ = jax.lax.scan(step, (q0, m0), jnp.swapaxes(spikes, 0, 1))
    return m @ p["R"].T


def train(p, x, y, cfg, epochs, key, fixed):
    """Adam with a cosine learning rate from lr to lr_final, minibatches."""
    xs = jnp.asarray(x, dtype=jnp.float64)
    ys = jnp.asarray(y)
    n = xs.shape[0]
    nb = n // cfg["batch"]
    total = epochs * nb
    wd = cfg["weight_decay"]

    def loss_fn(p, xb, yb):
        logits = float_forward(p, xb, cfg, fixed)
        ce = -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(yb.shape[0]), yb])
        reg = sum(jnp.sum(p[k] ** 2) for k in ("W", "Wb", "Wm", "Wd", "R"))
        return ce + wd * reg

    @jax.jit
    def update(p, mo, ve, i, xb, yb):
        g = jax.grad(loss_fn)(p, xb, yb)
        lr = cfg["lr_final"] + 0.5 * (cfg["lr"] - cfg["lr_final"]) * (
            1.0 + jnp.cos(jnp.pi * i / total))
        b1, b2, eps = 0.9, 0.999, 1e-8
        mo = jax.tree.map(lambda a, b: b1 * a + (1 - b1) * b, mo, g)
        ve = jax.tree.map(lambda a, b: b2 * a + (1 - b2) * b * b, ve, g)
        t = i + 1.0
        p = jax.tree.map(
            lambda w, a, b: w - lr * (a / (1 - b1 ** t)) / (jnp.sqrt(b / (1 - b2 ** t)) + eps),
            p, mo, ve)
        return p, mo, ve

    mo = jax.tree.map(jnp.zeros_like, p)
    ve = jax.tree.map(jnp.zeros_like, p)
    i = 0
    for _ in range(epochs):
        key, sub = jax.random.split(key)
        perm = np.asarray(jax.random.permutation(sub, n))
        for b in range(nb):
            idx = perm[b * cfg["batch"]:(b + 1) * cfg["batch"]]
            p, mo, ve = update(p, mo, ve, float(i), xs[idx], ys[idx])
            i += 1
    return p, key


def accuracy(logits, y):
    return float(np.mean(np.argmax(np.asarray(logits), axis=1) == y))


# ------------------------------------------------------- quantisation ----

def rint(x):
    """Round half away from zero, to int64 (deterministic, documented)."""
    x = np.asarray(x, dtype=np.float64)
    return (np.sign(x) * np.floor(np.abs(x) + 0.5)).astype(np.int64)


def quantise(p, shifts, cfg):
    """Float parameters (decays already snapped) -> the SPEC 7 integers."""
    k_s, k_m = shifts
    qmax_w = 2 ** (cfg["weight_bits"] - 1) - 1
    qmax = 2 ** (cfg["mlp_bits"] - 1) - 1
    W, Wb, Wm, Wd, R = (np.asarray(p[k], dtype=np.float64) for k in ("W", "Wb", "Wm", "Wd", "R"))
    sw = qmax_w / np.max(np.abs(W))
    sq = sw * 2 ** cfg["trace_frac_bits"]
    s_tab = qmax / 1.7159
    sz = min(qmax * sq / np.max(np.abs(Wb)), qmax * s_tab / np.max(np.abs(Wm)))
    clip = cfg["hidden_clip"]
    hidden_shift = max(0, round(math.log2(sz * clip / cfg["hidden_max_target"])))
    sa = sz / 2 ** hidden_shift
    hidden_max = int(rint(clip * sa))
    sd = qmax / np.max(np.abs(Wd))
    sy = sd * sa
    half = cfg["table_len"] // 2
    table_shift = max(0, math.ceil(math.log2(sy * cfg["table_range"] / half)))
    si = sy / 2 ** table_shift
    x = (np.arange(-half, half) + 0.5) / si
    table = rint(s_tab * 1.7159 * np.tanh(2.0 * x / 3.0))
    sr = qmax / np.max(np.abs(R))
    neuron = {
        "kind": "elm",
        "memory": cfg["memory"],
        "hidden": cfg["hidden"],
        "mlp_bits": cfg["mlp_bits"],
        "trace_shift": int(k_s),
        "trace_frac_bits": cfg["trace_frac_bits"],
        "memory_shifts": [int(k) for k in k_m],
        "lambda": cfg["lambda"],
        "w_branch": rint(Wb * sz / sq).tolist(),
        "w_memory": rint(Wm * sz / s_tab).tolist(),
        "b_hidden": [0] * cfg["hidden"],
        "hidden_shift": int(hidden_shift),
        "hidden_max": hidden_max,
        "w_delta": rint(Wd * sd).tolist(),
        "b_delta": [0] * cfg["memory"],
        "table_shift": int(table_shift),
        "table": table.tolist(),
        "readout": rint(R * sr).tolist(),
        "readout_bias": [0] * CLASSES,
    }
    layer = {
        "inputs": INPUTS,
        "outputs": CLASSES,
        "timesteps": T,
        "weight_bits": cfg["weight_bits"],
        "weights": rint(W * sw).tolist(),
        "neuron": neuron,
    }
    scales = {"weights": sw, "trace": sq, "memory_and_table": s_tab, "z": sz,
              "a": sa, "w_delta": sd, "y": sy, "table_index": si, "readout": sr,
              "table_covers": [float(-half / si), float(half / si)]}
    check_ranges(layer)
    return layer, scales


def check_ranges(layer):
    n = layer["neuron"]
    lo_w, hi_w = -2 ** (layer["weight_bits"] - 1), 2 ** (layer["weight_bits"] - 1) - 1
    assert all(lo_w <= v <= hi_w for row in layer["weights"] for v in row)
    lo, hi = -2 ** (n["mlp_bits"] - 1), 2 ** (n["mlp_bits"] - 1) - 1
    for k in ("w_branch", "w_memory", "w_delta", "readout"):
        assert all(lo <= v <= hi for row in n[k] for v in row), k
    for k in ("b_hidden", "b_delta", "table", "readout_bias"):
        assert all(lo <= v <= hi for v in n[k]), k
    assert 1 <= n["hidden_max"] <= 65535 and 0 <= n["hidden_shift"] <= 32
    assert 0 <= n["table_shift"] <= 32 and 1 <= n["trace_shift"] <= 16
    assert all(1 <= k <= 16 for k in n["memory_shifts"])


def int_forward(layer, spikes):
    """SPEC section 7 exactly, int64, flooring shifts (numpy >> on signed
    integers is arithmetic). spikes [N][T][inputs] -> (readout [N][T][outputs],
    memory state [N][T][memory])."""
    n = layer["neuron"]
    i64 = lambda v: np.asarray(v, dtype=np.int64)  # noqa: E731
    W, Wb, Wm, Wd, R = (i64(x) for x in (layer["weights"], n["w_branch"], n["w_memory"],
                                         n["w_delta"], n["readout"]))
    bh, bd, br, table = (i64(n[k]) for k in ("b_hidden", "b_delta", "readout_bias", "table"))
    ks, f, km = n["trace_shift"], n["trace_frac_bits"], i64(n["memory_shifts"])
    lam, hs, hmax, ts = n["lambda"], n["hidden_shift"], n["hidden_max"], n["table_shift"]
    half = len(table) // 2
    spikes = i64(spikes)
    N = spikes.shape[0]
    q = np.zeros((N, W.shape[0]), dtype=np.int64)
    m = np.zeros((N, n["memory"]), dtype=np.int64)
    rs, ms = [], []
    for t in range(spikes.shape[1]):
        cur = spikes[:, t, :] @ W.T
        q = q - (q >> ks) + (cur << f)
        md = m - (m >> km)
        z = q @ Wb.T + md @ Wm.T + bh
        a = np.minimum(np.maximum(z, 0) >> hs, hmax)
        y = a @ Wd.T + bd
        dm = table[np.clip(y >> ts, -half, half - 1) + half]
        m = md + ((lam * dm) >> km)
        rs.append(m @ R.T + br)
        ms.append(m)
    return np.stack(rs, axis=1), np.stack(ms, axis=1)


def argmax_first(r):
    """Argmax with the first index winning ties (numpy's argmax does that)."""
    return np.argmax(r, axis=1)


# --------------------------------------------------------------- main ----

def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def write_case(path, layer, spikes, meta):
    """The case file with one sample per line (compact, diffable)."""
    head = {"format_version": 1, "meta": meta, "layer": layer}
    text = json.dumps(head, indent=1)
    assert text.endswith("}")
    lines = [json.dumps({"spikes": s.tolist()}, separators=(",", ":")) for s in spikes]
    text = text[:-1].rstrip() + ',\n "samples": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    with open(path, encoding="utf-8") as f:
        back = json.load(f)
    assert back["layer"] == layer and len(back["samples"]) == len(spikes)


def run(cfg, x_tr, y_tr, x_ev, y_ev, log=print):
    """Train both phases; return everything needed for the report."""
    key = jax.random.PRNGKey(cfg["seed"])
    key, sub = jax.random.split(key)
    p = init_params(cfg, sub)
    t0 = time.time()
    p, key = train(p, x_tr, y_tr, cfg, cfg["phase1_epochs"], key, None)
    k_s, k_m = kappas(p, None)
    tau_s = float(1.0 + np.exp(np.asarray(p["theta_s"])))
    tau_m = [float(v) for v in 1.0 + np.exp(np.asarray(p["theta_m"]))]
    acc1 = accuracy(float_forward(p, jnp.asarray(x_ev, dtype=jnp.float64), cfg), y_ev)
    log(f"phase 1: {time.time() - t0:.0f}s, eval accuracy {acc1:.4f}, tau_s {tau_s:.2f}, "
        f"tau_m {[round(v, 2) for v in tau_m]}")
    shifts = (snap(tau_s), [snap(v) for v in tau_m])
    acc_snapped = accuracy(float_forward(p, jnp.asarray(x_ev, dtype=jnp.float64), cfg, shifts),
                           y_ev)
    p, key = train(p, x_tr, y_tr, cfg, cfg["phase2_epochs"], key, shifts)
    acc2 = accuracy(float_forward(p, jnp.asarray(x_ev, dtype=jnp.float64), cfg, shifts), y_ev)
    log(f"phase 2: {time.time() - t0:.0f}s, shifts {shifts}, eval accuracy snapped "
        f"{acc_snapped:.4f} -> fine-tuned {acc2:.4f}")
    layer, scales = quantise(p, shifts, cfg)
    r_int, _ = int_forward(layer, x_ev)
    pred_int = argmax_first(r_int[:, -1, :])
    acc_int = float(np.mean(pred_int == y_ev))
    log(f"integer (mlp_bits {cfg['mlp_bits']}, weight_bits {cfg['weight_bits']}): "
        f"eval accuracy {acc_int:.4f}")
    return {
        "params": p, "shifts": shifts, "tau_s": tau_s, "tau_m": tau_m,
        "acc_phase1": acc1, "acc_snapped": acc_snapped, "acc_float": acc2,
        "layer": layer, "scales": scales, "acc_int": acc_int, "pred_int": pred_int,
        "r_int": r_int, "seconds": time.time() - t0,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--validate", action="store_true",
                    help="design mode: train on 80%% of the train rows, evaluate on the other "
                         "20%%; writes nothing")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                    help="override a CONFIG entry (design mode)")
    args = ap.parse_args()
    cfg = dict(CONFIG)
    for kv in args.set:
        k, v = kv.split("=", 1)
        assert k in cfg, k
        cfg[k] = json.loads(v)

    images, labels, split = load_digits()
    spikes = encode(images, cfg)
    train_idx = np.asarray(split["train"])
    test_idx = np.asarray(split["test"])
    assert len(train_idx) == 1257 and len(test_idx) == 540

    if args.validate:
        perm = np.random.default_rng(cfg["seed"]).permutation(train_idx)
        n_val = len(perm) // 5
        val, tr = np.sort(perm[:n_val]), np.sort(perm[n_val:])
        run(cfg, spikes[tr], labels[tr], spikes[val], labels[val])
        return 0

    res = run(cfg, spikes[train_idx], labels[train_idx], spikes[test_idx], labels[test_idx])
    x_tr = jnp.asarray(spikes[train_idx], dtype=jnp.float64)
    acc_train_float = accuracy(float_forward(res["params"], x_tr, cfg, res["shifts"]),
                               labels[train_idx])
    r_tr, _ = int_forward(res["layer"], spikes[train_idx])
    acc_train_int = float(np.mean(argmax_first(r_tr[:, -1, :]) == labels[train_idx]))
    layer = res["layer"]
    n_test = len(test_idx)
    write_json(os.path.join(HERE, "elm_layer.json"), layer)
    meta = {
        "what": ("8x8 digits row by row (T = 8), 16 ternary lanes per row (8 level, 8 edge), "
                 "540 test images of examples/digits/split.json; class = argmax of readout "
                 "at t = 7; written by examples/elm-digits/train_elm.py"),
        "test_rows": [int(i) for i in test_idx],
        "labels": [int(v) for v in labels[test_idx]],
    }
    write_case(os.path.join(HERE, "test_case.json"), layer, spikes[test_idx], meta)
    shifts = res["shifts"]
    fl = {k: np.asarray(v).tolist() for k, v in res["params"].items()
          if not k.startswith("theta")}
    fl["trace_shift"] = shifts[0]
    fl["memory_shifts"] = shifts[1]
    write_json(os.path.join(HERE, "elm_float.json"), fl)

    correct_int = int(np.sum(res["pred_int"] == labels[test_idx]))
    # Sensitivity: the same float model quantised at other widths (not shipped).
    sweep = {}
    for bits in (4, 5, 6, 8, 10, 12, 16):
        c = dict(cfg, mlp_bits=bits)
        lay, _ = quantise(res["params"], shifts, c)
        r, _ = int_forward(lay, spikes[test_idx])
        sweep[str(bits)] = float(np.mean(argmax_first(r[:, -1, :]) == labels[test_idx]))
    report = {
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "jax_version": jax.__version__,
        "jaxlib_version": jaxlib.__version__,
        "digits_csv_sha256": DIGITS_CSV_SHA256,
        "split": "examples/digits/split.json (train 1257, test 540)",
        "encoding": {"timesteps": T, "lanes": INPUTS,
                     "level_threshold": cfg["level_threshold"],
                     "edge_threshold": cfg["edge_threshold"]},
        "config": cfg,
        "float_test_accuracy_learned_decays": res["acc_phase1"],
        "float_test_accuracy_snapped_before_finetune": res["acc_snapped"],
        "float_test_accuracy": res["acc_float"],
        "float_train_accuracy": acc_train_float,
        "int_test_accuracy": res["acc_int"],
        "int_test_correct": correct_int,
        "int_train_accuracy": acc_train_int,
        "n_test": n_test,
        "int_test_accuracy_by_mlp_bits": sweep,
        "shift_rule": "k in 1..16 nearest in log scale: argmin |ln tau_eff(k) - ln tau|, "
                      "tau_eff(k) = -1/ln(1 - 2^-k)",
        "trace": {"tau_learned": res["tau_s"], "shift": shifts[0],
                  "tau_eff": tau_eff(shifts[0]),
                  "tau_rel_error": tau_eff(shifts[0]) / res["tau_s"] - 1.0},
        "memory": [{"tau_learned": t, "shift": k, "tau_eff": tau_eff(k),
                    "tau_rel_error": tau_eff(k) / t - 1.0}
                   for t, k in zip(res["tau_m"], shifts[1])],
        "scales": {k: (float(v) if not isinstance(v, list) else v)
                   for k, v in res["scales"].items()},
        "int_test_predictions": [int(v) for v in res["pred_int"]],
        "int_first_test_readout": [[int(v) for v in res["r_int"][i, -1, :]] for i in range(5)],
    }
    write_json(os.path.join(HERE, "train_report.json"), report)
    print(f"float test {res['acc_float']:.4f}, integer test {res['acc_int']:.4f} "
          f"({correct_int}/{n_test}); train float {acc_train_float:.4f} int {acc_train_int:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
