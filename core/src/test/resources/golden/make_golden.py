#!/usr/bin/env python3
"""Golden values for GoldenTrainingTest, from an independent NumPy implementation of simdnet's
training step: minibatch SGD with PyTorch's momentum (v = mu*v + g; w -= lr*v) and L2 weight decay
on weights only, the gradient averaged over the minibatch. Computed in float64, written with 9
significant digits. Run from this folder: python3 make_golden.py"""
import numpy as np


def act(name, z):
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    raise ValueError(name)


def dact(name, a):
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    if name == "relu":
        return (a > 0).astype(a.dtype)
    raise ValueError(name)


def case(file, sizes, hidden, loss, lr, momentum, wd, steps, batch):
    rng_w = [np.sin(np.arange(sizes[i + 1] * sizes[i]) * 0.37 + i).reshape(sizes[i + 1], sizes[i]) * 0.5
             for i in range(len(sizes) - 1)]
    rng_b = [np.cos(np.arange(sizes[i + 1]) * 0.91 + i) * 0.1 for i in range(len(sizes) - 1)]
    # Round the initial values to float32, since simdnet starts from float32 parameters.
    W = [w.astype(np.float32).astype(np.float64) for w in rng_w]
    b = [v.astype(np.float32).astype(np.float64) for v in rng_b]
    x = ((np.cos(np.arange(batch * sizes[0]) * 1.3) + 1) / 2).reshape(batch, sizes[0])
    x = x.astype(np.float32).astype(np.float64)
    labels = np.arange(batch) % sizes[-1]
    y = np.eye(sizes[-1])[labels]
    init = np.concatenate([np.concatenate([W[i].ravel(), b[i]]) for i in range(len(W))])
    vW = [np.zeros_like(w) for w in W]
    vb = [np.zeros_like(v) for v in b]
    L = len(W)
    for _ in range(steps):
        acts = [x]
        for i in range(L):
            z = acts[-1] @ W[i].T + b[i]
            if i == L - 1:
                if loss == "mse":
                    a = act("sigmoid", z)
                else:
                    e = np.exp(z - z.max(axis=1, keepdims=True))
                    a = e / e.sum(axis=1, keepdims=True)
            else:
                a = act(hidden, z)
            acts.append(a)
        out = acts[-1]
        dz = (out - y) * dact("sigmoid", out) if loss == "mse" else out - y
        gW = [None] * L
        gb = [None] * L
        for i in reversed(range(L)):
            gW[i] = dz.T @ acts[i] / batch
            gb[i] = dz.sum(axis=0) / batch
            if i > 0:
                dz = (dz @ W[i]) * dact(hidden, acts[i])
        for i in range(L):
            g = gW[i] + wd * W[i]
            vW[i] = momentum * vW[i] + g if momentum else g
            W[i] = W[i] - lr * vW[i]
            vb[i] = momentum * vb[i] + gb[i] if momentum else gb[i]
            b[i] = b[i] - lr * vb[i]
    final = np.concatenate([np.concatenate([W[i].ravel(), b[i]]) for i in range(L)])
    with open(file, "w") as f:
        f.write("# made by make_golden.py beside this file; do not edit\n")
        f.write("sizes " + " ".join(map(str, sizes)) + "\n")
        f.write(f"hidden {hidden}\nloss {loss}\nlr {lr!r}\nmomentum {momentum!r}\nweightDecay {wd!r}\n")
        f.write(f"steps {steps}\nbatch {batch}\n")
        f.write("x " + " ".join(f"{v:.9g}" for v in x.ravel()) + "\n")
        f.write("labels " + " ".join(map(str, labels)) + "\n")
        f.write("init " + " ".join(f"{v:.9g}" for v in init) + "\n")
        f.write("final " + " ".join(f"{v:.9g}" for v in final) + "\n")


case("sigmoid-mse-momentum.txt", [6, 5, 4, 3], "sigmoid", "mse", 3.0, 0.9, 1e-3, 4, 5)
case("relu-xent-momentum.txt", [7, 9, 4], "relu", "cross-entropy", 0.1, 0.9, 0.0, 5, 6)
case("tanh-xent-plain.txt", [5, 8, 6, 3], "tanh", "cross-entropy", 0.5, 0.0, 5e-3, 3, 4)
