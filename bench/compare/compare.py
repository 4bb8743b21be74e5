#!/usr/bin/env python3
"""simdnet against PyTorch and NumPy on the workloads of BENCHMARKS.md, on this machine.

Runs each workload for a few epochs in simdnet (through ./simdnet train --report), in PyTorch and
in a NumPy minibatch loop, when they are installed (Debian: apt-get install python3-torch
python3-numpy), and prints the median epoch time after the first (the training pass only, as
simdnet's report counts it), the test accuracy after the last epoch, and the ratios.

    python3 bench/compare/compare.py --data ../shared/data/fashion-mnist
    python3 bench/compare/compare.py --workloads W1,W3 --epochs 5 --threads 2

Threads: every framework gets the same number (PyTorch's intra-op threads, OpenBLAS's, simdnet's
--threads); set before NumPy and PyTorch are imported, so it holds for the whole run.
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKLOADS = {
    # name: (layers, hidden activation, loss, learning rate, momentum)
    "W1": ([784, 16, 16, 10], "sigmoid", "mse", 3.0, 0.0),
    "W2": ([784, 128, 10], "relu", "cross-entropy", 0.1, 0.0),
    "W3": ([784, 800, 10], "relu", "cross-entropy", 0.05, 0.9),
    "W4": ([784, 1024, 1024, 10], "relu", "cross-entropy", 0.05, 0.9),
}
BATCH = 100
ROOT = Path(__file__).resolve().parents[2]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=str(ROOT.parent / "shared/data/fashion-mnist"),
                   help="folder with the four IDX files of Fashion-MNIST or MNIST (gzipped or not)")
    p.add_argument("--workloads", default="W1,W2,W3,W4")
    p.add_argument("--epochs", type=int, default=3, help="epochs per run (the first is not counted)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--only", default="simdnet,torch,numpy", help="which of simdnet,torch,numpy to run")
    p.add_argument("--java-home", default=None, help="the JDK simdnet runs on (default: the launcher's)")
    p.add_argument("--json", default=None, help="also write the results to this file")
    args = p.parse_args()
    if args.epochs < 2:
        p.error("--epochs must be at least 2: the first epoch (JIT warm-up) is not counted")
    unknown = [w for w in args.workloads.split(",") if w not in WORKLOADS]
    if unknown:
        p.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    return args


def read_idx(path):
    import numpy as np
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[:2] != b"\x00\x00" or raw[2] != 8:
        sys.exit(f"{path}: not an IDX file of unsigned bytes")
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims)
    if data.size != int(np.prod(shape)):
        sys.exit(f"{path}: truncated ({data.size} values for shape {shape})")
    return data.reshape(shape)


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        if (folder / name).exists():
            return folder / name
    sys.exit(f"{folder}: no {stem}[.gz]")


def load(folder):
    import numpy as np
    folder = Path(folder)
    xs = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = read_idx(find(folder, f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(find(folder, f"{prefix}-labels-idx1-ubyte"))
        xs[split] = (images.reshape(len(images), -1).astype(np.float32) / 255.0, labels.astype(np.int64))
    return xs


def median_after_first(seconds):
    return statistics.median(seconds[1:])


def run_simdnet(name, data_dir, epochs, threads, java_home):
    layers, act, loss, lr, momentum = WORKLOADS[name]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [str(ROOT / "simdnet"), "train", "--data", str(data_dir), "--layers", ",".join(map(str, layers)),
               "--activation", act, "--loss", loss, "--lr", str(lr), "--momentum", str(momentum),
               "--epochs", str(epochs), "--threads", str(threads), "--report", str(report)]
        env = dict(os.environ)
        if java_home:
            env["JAVA_HOME"] = java_home
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"simdnet failed ({proc.returncode}):\n{proc.stderr}")
        r = json.loads(report.read_text())
    detail = r["epochsDetail"]
    return [e["seconds"] for e in detail], detail[-1]["testAccuracy"], r.get("jdk", "?")


def run_numpy(name, data, epochs, seed=1):
    import numpy as np
    layers, act, loss, lr, momentum = WORKLOADS[name]
    rng = np.random.default_rng(seed)
    ws, bs = [], []
    for i, o in zip(layers, layers[1:]):
        std = np.sqrt((2.0 if act == "relu" else 1.0) / i)
        ws.append((rng.standard_normal((o, i)) * std).astype(np.float32))
        bs.append(np.zeros(o, np.float32))
    vw = [np.zeros_like(w) for w in ws]
    vb = [np.zeros_like(b) for b in bs]
    x_train, y_train = data["train"]
    x_test, y_test = data["test"]
    eye = np.eye(10, dtype=np.float32)
    last = len(ws) - 1

    def f(z, l):
        if l == last:
            if loss == "mse":
                return 1 / (1 + np.exp(-z))
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return 1 / (1 + np.exp(-z)) if act == "sigmoid" else np.maximum(z, 0)

    def forward(x):
        acts = [x]
        for l, (w, b) in enumerate(zip(ws, bs)):
            acts.append(f(acts[-1] @ w.T + b, l))
        return acts

    seconds = []
    for _ in range(epochs):
        order = rng.permutation(len(x_train))
        t0 = time.perf_counter()
        for s in range(0, len(order), BATCH):
            idx = order[s:s + BATCH]
            acts = forward(x_train[idx])
            y = eye[y_train[idx]]
            out = acts[-1]
            # dC/dz at the output: (a - y) * a(1 - a) for the quadratic cost, a - y for softmax + CE.
            dz = (out - y) * out * (1 - out) if loss == "mse" else out - y
            dz /= len(idx)
            for l in range(last, -1, -1):
                gw = dz.T @ acts[l]
                gb = dz.sum(axis=0)
                if l > 0:
                    da = dz @ ws[l]
                    a = acts[l]
                    dz = da * a * (1 - a) if act == "sigmoid" else da * (a > 0)
                if momentum:
                    vw[l] = momentum * vw[l] + gw
                    vb[l] = momentum * vb[l] + gb
                    gw, gb = vw[l], vb[l]
                ws[l] -= lr * gw
                bs[l] -= lr * gb
        seconds.append(time.perf_counter() - t0)
    accuracy = float((forward(x_test)[-1].argmax(axis=1) == y_test).mean())
    return seconds, accuracy


def run_torch(name, data, epochs, seed=1):
    import torch
    layers, act, loss, lr, momentum = WORKLOADS[name]
    torch.manual_seed(seed)
    mods = []
    for l, (i, o) in enumerate(zip(layers, layers[1:])):
        mods.append(torch.nn.Linear(i, o))
        if l < len(layers) - 2:
            mods.append(torch.nn.Sigmoid() if act == "sigmoid" else torch.nn.ReLU())
    if loss == "mse":
        mods.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*mods)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    x_train, y_train = (torch.from_numpy(a) for a in data["train"])
    x_test, y_test = (torch.from_numpy(a) for a in data["test"])
    eye = torch.eye(10)
    ce = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    seconds = []
    for _ in range(epochs):
        order = torch.randperm(len(x_train), generator=gen)
        t0 = time.perf_counter()
        for s in range(0, len(order), BATCH):
            idx = order[s:s + BATCH]
            out = model(x_train[idx])
            if loss == "mse":
                # The lecture's cost: 1/2 sum (a - y)^2 per example, averaged over the minibatch.
                c = 0.5 * ((out - eye[y_train[idx]]) ** 2).sum(dim=1).mean()
            else:
                c = ce(out, y_train[idx])
            opt.zero_grad(set_to_none=True)
            c.backward()
            opt.step()
        seconds.append(time.perf_counter() - t0)
    with torch.no_grad():
        accuracy = float((model(x_test).argmax(dim=1) == y_test).float().mean())
    return seconds, accuracy


def main():
    args = parse_args()
    # Before numpy and torch are imported: their thread pools read these once.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    wanted = args.only.split(",")
    frameworks = []
    if "simdnet" in wanted:
        frameworks.append("simdnet")
    try:
        import numpy  # noqa: F401
    except ImportError:
        print("NumPy is not installed (apt-get install python3-numpy): nothing to compare with", file=sys.stderr)
        sys.exit(2)
    for fw in ("torch", "numpy"):
        if fw not in wanted:
            continue
        try:
            if fw == "torch":
                import torch
                torch.set_num_threads(args.threads)
            frameworks.append(fw)
        except ImportError:
            print(f"{fw} is not installed: skipped (apt-get install python3-torch)", file=sys.stderr)
    data = load(args.data)
    results = {}
    for name in args.workloads.split(","):
        for fw in frameworks:
            print(f"{name} {fw} ...", file=sys.stderr, flush=True)
            if fw == "simdnet":
                seconds, acc, jdk = run_simdnet(name, args.data, args.epochs, args.threads, args.java_home)
            elif fw == "torch":
                seconds, acc = run_torch(name, data, args.epochs)
            else:
                seconds, acc = run_numpy(name, data, args.epochs)
            results.setdefault(name, {})[fw] = {"seconds": seconds, "median": median_after_first(seconds),
                                                "accuracy": acc}
            print(f"{name} {fw}: epochs {', '.join(f'{x:.3f}' for x in seconds)} s, test accuracy {100 * acc:.2f}%",
                  file=sys.stderr, flush=True)
    cols = frameworks
    print(f"\nthreads {args.threads}, {args.epochs} epochs, median epoch after the first (training pass only), "
          f"seconds; test accuracy after the last epoch")
    # One ratio column per other framework, when simdnet ran too.
    others = [c for c in cols if c != "simdnet"] if "simdnet" in cols else []
    print("| " + " | ".join(["workload"] + cols + [f"{c} / simdnet" for c in others]) + " |")
    print("| --- |" + " ---: |" * (len(cols) + len(others)))
    for name, r in results.items():
        cells = [f"{r[c]['median']:.3f} s ({100 * r[c]['accuracy']:.1f}%)" for c in cols]
        ratios = [f"{r[c]['median'] / r['simdnet']['median']:.1f}x" for c in others]
        print("| " + " | ".join([name] + cells + ratios) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps({"threads": args.threads, "epochs": args.epochs,
                                               "results": results}, indent=1))


if __name__ == "__main__":
    main()
