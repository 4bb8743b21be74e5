#!/usr/bin/env python3
"""NumPy's (OpenBLAS's) single-threaded GFLOP/s on the kernel shapes of KernelBenchmark.

For each layer shape IN x OUT over a minibatch of 100: the forward product A (100, IN) @ W.T
(W: (OUT, IN)) and the weight gradient dZ.T (OUT, 100) @ A (100, IN), 2 * 100 * IN * OUT
floating-point operations each; median and range of 200 timed calls after 50 warm-up calls.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/compare/gemm.py
"""
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402  (after the thread settings)

SHAPES = [(784, 16), (16, 16), (16, 10), (784, 128), (128, 10), (784, 800), (800, 10), (1024, 1024)]
BATCH = 100


def gflops(fn, flop, calls=200, warmup=50):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(calls):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    rates = sorted(flop / t for t in times)
    return statistics.median(rates), rates[0], rates[-1]


def main():
    rng = np.random.default_rng(1)
    print(f"NumPy {np.__version__}, threads {os.environ['OPENBLAS_NUM_THREADS']}; GFLOP/s median (min-max)")
    print("| shape | forward A @ W.T | weight gradient dZ.T @ A |")
    print("| --- | ---: | ---: |")
    for i, o in SHAPES:
        a = rng.standard_normal((BATCH, i), dtype=np.float32)
        w = rng.standard_normal((o, i), dtype=np.float32)
        dz = rng.standard_normal((BATCH, o), dtype=np.float32)
        z = np.empty((BATCH, o), np.float32)
        dw = np.empty((o, i), np.float32)
        flop = 2 * BATCH * i * o
        f = gflops(lambda: np.matmul(a, w.T, out=z), flop)
        g = gflops(lambda: np.matmul(dz.T, a, out=dw), flop)
        print(f"| {i}x{o} | {f[0]:.1f} ({f[1]:.1f}-{f[2]:.1f}) | {g[0]:.1f} ({g[1]:.1f}-{g[2]:.1f}) |")


if __name__ == "__main__":
    main()
