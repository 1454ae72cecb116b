#!/usr/bin/env python3
"""Train 16-H-10 spiking MLPs (IF and TMN, SPEC section 4) on the digits read
row by row, exactly as the ELM of examples/elm-digits sees them, quantise them
to integer networks and check the integer networks.

Why: issue 12 asks whether the ELM neuron beats a spiking MLP of the same size
on the same presentation of the data. This script gives the spiking MLP side:
H = 50 hidden neurons with biases is 16*50 + 50 + 50*10 + 10 = 1360
parameters, the ELM's 1360 weights.

Inputs (in the repository):
    examples/digits/digits.csv, examples/digits/split.json  (as train_elm.py)
    examples/elm-digits/test_case.json  the ELM's 540 test samples: the test
                                        spikes made here must equal them
Outputs (next to this script, overwritten on every run):
    mlp_if.network.json    the integer IF network (golden_model::NetworkConfig)
    mlp_tmn.network.json   the integer TMN network
    train_report.json      versions, configuration, float and integer
                           accuracies, scales, the integer class of every
                           test image and the integer readouts of the first five

The presentation: train_elm.py's `encode` (imported, not copied): T = 8 steps,
step t is image row t as 16 ternary lanes (8 level, 8 edge lanes).

The float model is SPEC section 4 with real numbers, threshold 1 (reset by
subtraction), per step t with x[t] the 16 input spikes:
    hidden (H neurons), kind if:   u = u + W1 x[t] + b1; s = [u >= 1]; u = u - s
    hidden (H neurons), kind tmn:  m = 2u + W1 x[t] + [t == 0] b1;
                                   s = +1 if m >= 1/2, -1 if m <= -1/2, else 0;
                                   u = m - s
    output (10 neurons): the class is the argmax of golden_model's readout,
    which for both kinds (reset by subtraction) is the neuron's integrated
    input, whatever its threshold:
        if:  r = sum_t (W2 h[t] + b2)
        tmn: r = sum_t 2^(T-1-t) W2 h[t] + 2^(T-1) b2
    The float logits are r (tmn: r / 2^(T-1), a positive scale).
Training: surrogate-gradient BPTT (forward: the step function; backward: the
fast-sigmoid derivative 1 / (1 + slope |x|)^2 of x = u - 1, or m -+ 1/2),
Adam with a cosine learning rate, batch 64, cross-entropy on the logits,
float64, seeded, one thread.

Quantisation (`quantise`): every scale is exact, so that the integer network
is the float one with rounded weights.
    hidden if:   vth = floor(127 / max(|W1|, |b1|)), W1_int = round(W1 vth),
                 b1_int = round(b1 vth)   (scale = vth, since the float vth is 1)
    hidden tmn:  vth = 2^floor(log2(127 / max(|W1|, |b1|))), the same rounding
    output:      S2 = 127 / max(|W2|, |b2|), W2_int = round(W2 S2),
                 b2_int = round(b2 S2); the output vth is 2^round(log2 S2)
                 (the readout, and so the class, does not depend on it)
round is half away from zero. weight_bits is 8 for both layers.

The integer forward pass (`int_forward`) is SPEC section 4 exactly and the
class is golden_model::network::NetworkRunner::classify: the argmax (first
index wins) of vth * spike_count + u_final (if) or vth * spike_value + u_final
(tmn, spike_value = sum_t s[t] 2^(T-1-t)) of the last layer.
golden-model/tests/elm_compare.rs runs the shipped networks through the golden
model and requires the same class for every test image.

Validation discipline: `--validate` trains on 80% of the train rows (the
permutation of train_elm.py) and prints the accuracies on the other 20%;
the shipped configuration was chosen that way, never on the test rows.

Run from the repository root (about a minute per kind):
    /tmp/venv-elm/bin/python examples/elm-digits/compare/train_snn_mlp.py
    /tmp/venv-elm/bin/python examples/elm-digits/compare/train_snn_mlp.py \
        --validate --kind tmn --set slope=10
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ELM_DIR = os.path.dirname(HERE)
sys.path.insert(0, ELM_DIR)

# Pins the threads, the CPU platform and float64 before jax loads; gives the
# data, the encoding and the JSON writer (same presentation as the ELM).
import train_elm as elm  # noqa: E402

import argparse  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jaxlib  # noqa: E402
import jax.numpy as jnp  # noqa: E402

T = elm.T
INPUTS = elm.INPUTS
CLASSES = elm.CLASSES
KINDS = ("if", "tmn")

CONFIG = {
    "seed": 0,
    "hidden": 50,
    "epochs": 150,
    "batch": 64,
    "lr": 1e-2,
    "lr_final": 1e-4,
    "weight_decay": 1e-5,
    "slope": 5.0,
    "init_gain": 1.0,
    "weight_bits": 8,
}

# Per kind, chosen on the validation split (see the README's table).
KIND_CONFIG = {
    "if": {"slope": 2.0, "init_gain": 2.0, "weight_decay": 1e-3},
    "tmn": {"slope": 1.0, "init_gain": 0.5, "epochs": 300},
}


def n_params(h):
    return INPUTS * h + h + h * CLASSES + CLASSES


# ---------------------------------------------------------- float SNN ----

@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _heaviside(x, slope):
    """The spike: 1 where x >= 0 (ties fire); the surrogate in `_heaviside_jvp`."""
    return jnp.where(x >= 0.0, 1.0, 0.0)


@_heaviside.defjvp
def _heaviside_jvp(slope, primals, tangents):
    (x,), (dx,) = primals, tangents
    return _heaviside(x, slope), dx / (1.0 + slope * jnp.abs(x)) ** 2


def init_params(cfg, key):
    h = cfg["hidden"]
    g = cfg["init_gain"]
    ks = jax.random.split(key, 2)
    return {
        "W1": jax.random.normal(ks[0], (h, INPUTS)) * g / math.sqrt(INPUTS),
        "b1": jnp.zeros(h),
        "W2": jax.random.normal(ks[1], (CLASSES, h)) / math.sqrt(h),
        "b2": jnp.zeros(CLASSES),
    }


def float_forward(p, spikes, kind, slope):
    """spikes [N][T][16] -> (logits [N][10], hidden spikes [N][T][H])."""
    n = spikes.shape[0]
    h = p["W1"].shape[0]
    cur = jnp.einsum("nti,hi->tnh", spikes, p["W1"])   # [T][N][H]

    def step_if(u, x):
        i_t, _ = x
        u = u + i_t + p["b1"]
        s = _heaviside(u - 1.0, slope)
        return u - s, s

    def step_tmn(u, x):
        i_t, first = x
        m = 2.0 * u + i_t + first * p["b1"]
        s = _heaviside(m - 0.5, slope) - _heaviside(-m - 0.5, slope)
        return m - s, s

    first = jnp.asarray([1.0] + [0.0] * (T - 1))
    step = step_if if kind == "if" else step_tmn
    _, hs = jax.lax.scan(step, jnp.zeros((n, h)), (cur, first))   # [T][N][H]
    if kind == "if":
        w = jnp.ones(T)
        wb = float(T)
    else:
        w = 2.0 ** jnp.arange(T - 1, -1, -1) / 2.0 ** (T - 1)
        wb = 1.0
    logits = jnp.einsum("t,tnh,kh->nk", w, hs, p["W2"]) + wb * p["b2"]
    return logits, jnp.swapaxes(hs, 0, 1)


def train(p, x, y, cfg, kind, key):
    """Adam with a cosine learning rate from lr to lr_final, minibatches."""
    xs = jnp.asarray(x, dtype=jnp.float64)
    ys = jnp.asarray(y)
    n = xs.shape[0]
    nb = n // cfg["batch"]
    total = cfg["epochs"] * nb
    wd = cfg["weight_decay"]
    slope = cfg["slope"]

    def loss_fn(p, xb, yb):
        logits, _ = float_forward(p, xb, kind, slope)
        ce = -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(yb.shape[0]), yb])
        reg = jnp.sum(p["W1"] ** 2) + jnp.sum(p["W2"] ** 2)
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
    for _ in range(cfg["epochs"]):
        key, sub = jax.random.split(key)
        perm = np.asarray(jax.random.permutation(sub, n))
        for b in range(nb):
            idx = perm[b * cfg["batch"]:(b + 1) * cfg["batch"]]
            p, mo, ve = update(p, mo, ve, float(i), xs[idx], ys[idx])
            i += 1
    return p


def float_accuracy(p, x, y, kind, cfg):
    logits, _ = float_forward(p, jnp.asarray(x, dtype=jnp.float64), kind, cfg["slope"])
    return float(np.mean(np.argmax(np.asarray(logits), axis=1) == y))


# ------------------------------------------------------- quantisation ----

def quantise(p, kind, cfg):
    """Float parameters -> the integer network file (golden_model's format)."""
    qmax = 2 ** (cfg["weight_bits"] - 1) - 1
    W1, b1, W2, b2 = (np.asarray(p[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
    m1 = max(np.max(np.abs(W1)), np.max(np.abs(b1)))
    if kind == "if":
        vth1 = int(math.floor(qmax / m1))
    else:
        vth1 = 2 ** int(math.floor(math.log2(qmax / m1)))
    assert vth1 >= (1 if kind == "if" else 2), f"hidden vth {vth1}: weights too large"
    m2 = max(np.max(np.abs(W2)), np.max(np.abs(b2)))
    s2 = qmax / m2
    vth2 = 2 ** max(1, int(round(math.log2(s2))))

    def layer(inputs, outputs, w, b, vth):
        return {"inputs": inputs, "outputs": outputs, "timesteps": T,
                "weight_bits": cfg["weight_bits"], "weights": w.tolist(), "bias": b.tolist(),
                "neuron": {"kind": kind, "vth": vth}}

    h = cfg["hidden"]
    layers = [layer(INPUTS, h, elm.rint(W1 * vth1), elm.rint(b1 * vth1), vth1),
              layer(h, CLASSES, elm.rint(W2 * s2), elm.rint(b2 * s2), vth2)]
    for lay in layers:
        for row in lay["weights"] + [lay["bias"]]:
            assert all(-qmax - 1 <= v <= qmax for v in row)
    return layers, {"hidden_scale": float(vth1), "output_scale": float(s2)}


def int_layer(lay, x):
    """SPEC section 4 for one layer, int64: x [N][T][inputs] in {-1,0,1} ->
    (spikes [N][T][outputs], membrane after reset [N][T][outputs])."""
    W = np.asarray(lay["weights"], dtype=np.int64)
    b = np.asarray(lay["bias"], dtype=np.int64)
    kind, vth = lay["neuron"]["kind"], lay["neuron"]["vth"]
    n = x.shape[0]
    u = np.zeros((n, W.shape[0]), dtype=np.int64)
    ss, us = [], []
    for t in range(x.shape[1]):
        cur = x[:, t, :] @ W.T
        if kind == "if":
            u = u + cur + b
            s = (u >= vth).astype(np.int64)
            u = u - s * vth
        else:
            m = 2 * u + cur + (b if t == 0 else 0)
            theta = vth // 2
            s = (m >= theta).astype(np.int64) - (m <= -theta).astype(np.int64)
            u = m - s * vth
        ss.append(s)
        us.append(u)
    return np.stack(ss, axis=1), np.stack(us, axis=1)


def readout(lay, s, u):
    """golden_model::network::readout of the last layer."""
    vth = lay["neuron"]["vth"]
    if lay["neuron"]["kind"] == "if":
        return vth * s.sum(axis=1) + u[:, -1, :]
    w = 2 ** np.arange(T - 1, -1, -1, dtype=np.int64)
    return vth * np.einsum("t,nto->no", w, s) + u[:, -1, :]


def int_forward(layers, x):
    """The network, layer by layer -> (readout [N][10], hidden spikes)."""
    x = np.asarray(x, dtype=np.int64)
    hs, hu = int_layer(layers[0], x)
    os_, ou = int_layer(layers[1], hs)
    r = readout(layers[1], os_, ou)
    # With reset by subtraction the readout is the integrated input exactly.
    lay = layers[1]
    cur = np.einsum("nth,kh->ntk", hs, np.asarray(lay["weights"], dtype=np.int64))
    b = np.asarray(lay["bias"], dtype=np.int64)
    if lay["neuron"]["kind"] == "if":
        want = cur.sum(axis=1) + T * b
    else:
        w = 2 ** np.arange(T - 1, -1, -1, dtype=np.int64)
        want = np.einsum("t,ntk->nk", w, cur) + 2 ** (T - 1) * b
    assert np.array_equal(r, want), "readout is not the integrated input"
    return r, hs


def classify(r):
    """argmax, the first index winning ties (numpy's argmax does that)."""
    return np.argmax(r, axis=1)


# --------------------------------------------------------------- main ----

def run(cfg, kind, x_tr, y_tr, x_ev, y_ev, log=print):
    key = jax.random.PRNGKey(cfg["seed"])
    key, sub = jax.random.split(key)
    p = init_params(cfg, sub)
    t0 = time.time()
    p = train(p, x_tr, y_tr, cfg, kind, key)
    acc_f = float_accuracy(p, x_ev, y_ev, kind, cfg)
    acc_tr = float_accuracy(p, x_tr, y_tr, kind, cfg)
    layers, scales = quantise(p, kind, cfg)
    r, hs = int_forward(layers, x_ev)
    pred = classify(r)
    acc_i = float(np.mean(pred == y_ev))
    rate = float(np.mean(np.abs(hs)))
    log(f"{kind}: {time.time() - t0:.0f}s, float {acc_f:.4f}, integer {acc_i:.4f} "
        f"(float on its training rows {acc_tr:.4f}) "
        f"(hidden vth {layers[0]['neuron']['vth']}, hidden |spike| rate {rate:.3f})")
    return {"params": p, "layers": layers, "scales": scales, "acc_float": acc_f,
            "acc_float_train": acc_tr,
            "acc_int": acc_i, "pred": pred, "r": r, "hidden_rate": rate,
            "seconds": time.time() - t0}


def network_doc(layers, kind, cfg):
    return {
        "format_version": 1,
        "meta": {
            "what": (f"16-{cfg['hidden']}-10 {kind} spiking MLP, {n_params(cfg['hidden'])} "
                     "parameters, on the digits read row by row (T = 8, 16 ternary lanes, "
                     "the presentation of examples/elm-digits); trained by surrogate-gradient "
                     "BPTT and quantised by examples/elm-digits/compare/train_snn_mlp.py"),
            "readout": "argmax of golden_model::network::readout of the last layer",
        },
        "network": {"layers": layers},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--validate", action="store_true",
                    help="design mode: train on 80%% of the train rows, evaluate on the other "
                         "20%%; writes nothing")
    ap.add_argument("--kind", choices=KINDS, action="append",
                    help="only this kind (design mode); default both")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                    help="override a CONFIG entry (design mode)")
    args = ap.parse_args()
    sets = {}
    for kv in args.set:
        k, v = kv.split("=", 1)
        assert k in CONFIG, k
        sets[k] = json.loads(v)
    cfgs = {kind: {**CONFIG, **KIND_CONFIG[kind], **sets} for kind in KINDS}
    kinds = args.kind or list(KINDS)

    images, labels, split = elm.load_digits()
    spikes = elm.encode(images, elm.CONFIG)
    train_idx = np.asarray(split["train"])
    test_idx = np.asarray(split["test"])
    assert len(train_idx) == 1257 and len(test_idx) == 540

    if args.validate:
        # train_elm.py's rule: the seed picks the validation rows too.
        perm = np.random.default_rng(cfgs["if"]["seed"]).permutation(train_idx)
        n_val = len(perm) // 5
        val, tr = np.sort(perm[:n_val]), np.sort(perm[n_val:])
        for kind in kinds:
            run(cfgs[kind], kind, spikes[tr], labels[tr], spikes[val], labels[val])
        return 0
    assert not args.set and not args.kind, "--set and --kind are for --validate"

    # The same presentation as the ELM: the test spikes are its case's samples.
    with open(os.path.join(ELM_DIR, "test_case.json"), encoding="utf-8") as f:
        case = json.load(f)
    assert case["meta"]["test_rows"] == [int(i) for i in test_idx]
    assert case["meta"]["labels"] == [int(v) for v in labels[test_idx]]
    assert np.array_equal(np.asarray([s["spikes"] for s in case["samples"]]),
                          spikes[test_idx]), "test_case.json holds other spikes"

    report = {
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "jax_version": jax.__version__,
        "jaxlib_version": jaxlib.__version__,
        "digits_csv_sha256": elm.DIGITS_CSV_SHA256,
        "split": "examples/digits/split.json (train 1257, test 540)",
        "encoding": {"timesteps": T, "lanes": INPUTS,
                     "level_threshold": elm.CONFIG["level_threshold"],
                     "edge_threshold": elm.CONFIG["edge_threshold"],
                     "code": "examples/elm-digits/train_elm.py encode"},
        "config": {kind: cfgs[kind] for kind in kinds},
        "parameters": {kind: n_params(cfgs[kind]["hidden"]) for kind in kinds},
        "n_test": len(test_idx),
        "test_labels": [int(v) for v in labels[test_idx]],
        "models": {},
    }
    for kind in kinds:
        cfg = cfgs[kind]
        res = run(cfg, kind, spikes[train_idx], labels[train_idx], spikes[test_idx],
                  labels[test_idx])
        name = f"mlp_{kind}.network.json"
        elm.write_json(os.path.join(HERE, name), network_doc(res["layers"], kind, cfg))
        r_tr, _ = int_forward(res["layers"], spikes[train_idx])
        report["models"][kind] = {
            "network": f"examples/elm-digits/compare/{name}",
            "float_test_accuracy": res["acc_float"],
            "float_train_accuracy": res["acc_float_train"],
            "int_test_accuracy": res["acc_int"],
            "int_test_correct": int(np.sum(res["pred"] == labels[test_idx])),
            "int_train_accuracy": float(np.mean(classify(r_tr) == labels[train_idx])),
            "hidden_vth": res["layers"][0]["neuron"]["vth"],
            "output_vth": res["layers"][1]["neuron"]["vth"],
            "scales": res["scales"],
            "hidden_spike_rate": res["hidden_rate"],
            "int_test_predictions": [int(v) for v in res["pred"]],
            "int_first_test_readout": [[int(v) for v in res["r"][i]] for i in range(5)],
        }
        m = report["models"][kind]
        print(f"{kind}: float test {m['float_test_accuracy']:.4f}, integer test "
              f"{m['int_test_accuracy']:.4f} ({m['int_test_correct']}/540); train float "
              f"{m['float_train_accuracy']:.4f} int {m['int_train_accuracy']:.4f}")
    elm.write_json(os.path.join(HERE, "train_report.json"), report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
