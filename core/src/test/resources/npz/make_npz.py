#!/usr/bin/env python3
"""NumPy-written .npz fixtures for NpzTest. Run from this folder: python3 make_npz.py"""
import json
import numpy as np

# A 4-3-2 network whose every value the test can compute: W0[j][k] = 0.5 * (4 * j + k),
# b0[j] = -j, W1[j][k] = 0.25 * (3 * j + k), b1[j] = 10 + j.
W0 = (0.5 * np.arange(12).reshape(3, 4)).astype(np.float32)
b0 = (-np.arange(3)).astype(np.float32)
W1 = (0.25 * np.arange(6).reshape(2, 3)).astype(np.float32)
b1 = (10 + np.arange(2)).astype(np.float32)
meta = json.dumps({"activations": ["tanh", "softmax"], "loss": "cross-entropy"}).encode()
np.savez("with-meta.npz", W0=W0, b0=b0, W1=W1, b1=b1, layers=np.array([4, 3, 2], dtype=np.int32),
         meta=np.frombuffer(meta, dtype=np.uint8))
# No meta, layers as numpy's default int64, compressed: as a PyTorch user might write it.
np.savez_compressed("no-meta.npz", W0=W0, b0=b0, W1=W1, b1=b1, layers=np.array([4, 3, 2]))
# Float64 weights: refused with a hint to convert.
np.savez("float64.npz", W0=W0.astype(np.float64), b0=b0, W1=W1, b1=b1)
# Shapes that do not chain: W1 takes 5 inputs but W0 gives 3.
np.savez("bad-chain.npz", W0=W0, b0=b0, W1=np.zeros((2, 5), np.float32), b1=b1)
