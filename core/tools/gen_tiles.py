#!/usr/bin/env python3
"""Writes core/src/main/java/dev/simdnet/core/kernels/Tiles.java: the register-tiled micro-kernels
of VectorKernels' direct matrix product, one method per tile shape (R rows x NV vectors).

Java has no macros and C2 keeps vectors in registers only when every accumulator is its own local
variable, so each shape is written out in full; this script is the one place they are written.
Run it from the repository root after changing it: python3 core/tools/gen_tiles.py
"""
import pathlib

SHAPES = [(r, nv) for r in (8, 4, 1) for nv in (3, 2, 1)]


def shapes(kind):
    # An 8-row momentum tile was too big for C1: "out of virtual registers" at tier 3, after which
    # HotSpot never compiled it with C2 and training ran 70x slower. The 8-row plain step tile
    # (2 KB of bytecode) failed the allocation test once in CI the same way. Step tiles of both
    # kinds have 4 rows.
    return [(r, nv) for r, nv in SHAPES if kind in ("rows", "cols") or r < 8]

def vec(v):
    return "" if v == 0 else " + L" if v == 1 else f" + {v} * L"


def tile(r, nv, kind):
    """kind "rows": P(i, t) = p[starts[s0 + i] + col + t], one row of P per accumulator row,
    stepping along it (C2 hoists the range checks of r_i + t out of the loop). kind "cols":
    P(i, t) = p[starts[s0 + t] + col + i], R adjacent values per step (their range checks merge)."""
    accs = [f"c{i}{v}" for i in range(r) for v in range(nv)]
    out = []
    w = out.append
    stride = "int[] starts, int s0, int col"
    name = f"{kind}{r}x{nv}"
    tail = ("float[] c, float[] vel, int c0, int ldc, float scale, float lr, float mu, float wd"
            if kind in ("step", "momentum") else "float[] b, int b0, float[] c, int c0, int ldc")
    if kind in ("step", "momentum"):
        w(f"    /** The {r} x {nv} vectors of weights at c take an SGD step{' with momentum' if kind == 'momentum' else ''} with P ({r} x depth) * Q (depth x {nv} vectors), P by columns. */")
    else:
        w(f"    /** C ({r} x {nv} vectors) = P ({r} x depth) * Q (depth x {nv} vectors) [+ b], P {'by rows' if kind == 'rows' else 'by columns'}. */")
    w(f"    static void {name}(int depth, float[] p, {stride}, float[] q, int q0, int ldq,")
    w(f"            {tail}) {{")
    w(f"        FloatVector {accs[0]} = FloatVector.zero(S);")
    rest = accs[1:]
    for i in range(0, len(rest), 6):
        w("        FloatVector " + ", ".join(f"{a} = {accs[0]}" for a in rest[i:i + 6]) + ";")
    if kind == "rows":
        for i in range(0, r, 4):
            w("        int " + ", ".join(f"r{j} = starts[s0{' + ' + str(j) if j else ''}] + col" for j in range(i, min(r, i + 4))) + ";")
    w(f"        for (int t = 0; t < depth; t++) {{")
    w(f"            int qi = q0 + t * ldq;")
    if kind != "rows":
        w(f"            int pk = starts[s0 + t] + col;")
    for v in range(nv):
        w(f"            FloatVector x{v} = FloatVector.fromArray(S, q, qi{vec(v)});")
    for i in range(r):
        idx = f"r{i} + t" if kind == "rows" else ("pk" if i == 0 else f"pk + {i}")
        w(f"            {'FloatVector ' if i == 0 else ''}d = FloatVector.broadcast(S, p[{idx}]);")
        for v in range(nv):
            w(f"            c{i}{v} = d.fma(x{v}, c{i}{v});")
    w("        }")
    if kind in ("step", "momentum"):
        mom = kind == "momentum"
        w("        // The step of VectorKernels.sgdStep on each weight, with the sums as its gradient: the")
        w("        // same operations in the same order (no FMA), so the same bits as the scalar step.")
        for i in range(r):
            row = "c0" if i == 0 else f"c0 + {i} * ldc" if i > 1 else "c0 + ldc"
            for v in range(nv):
                off = row + vec(v)
                acc = f"c{i}{v}"
                w(f"        {{")
                w(f"            int o = {off};")
                w(f"            FloatVector u = FloatVector.fromArray(S, c, o);")
                w(f"            FloatVector g = {acc}.mul(scale).add(u.mul(wd));")
                if mom:
                    w(f"            g = FloatVector.fromArray(S, vel, o).mul(mu).add(g);")
                    w(f"            g.intoArray(vel, o);")
                w(f"            u.sub(g.mul(lr)).intoArray(c, o);")
                w(f"        }}")
        w("    }")
        return "\n".join(out)
    w("        if (b != null) {")
    for v in range(nv):
        w(f"            FloatVector y{v} = FloatVector.fromArray(S, b, b0{vec(v)});")
    for i in range(r):
        w("            " + " ".join(f"c{i}{v} = c{i}{v}.add(y{v});" for v in range(nv)))
    w("        }")
    for i in range(r):
        row = "c0" if i == 0 else f"c0 + {i} * ldc" if i > 1 else "c0 + ldc"
        for v in range(nv):
            off = row + vec(v)
            w(f"        c{i}{v}.intoArray(c, {off});")
    w("    }")
    return "\n".join(out)


def dispatch(kind):
    stride = "starts, s0, col"
    params = "int[] starts, int s0, int col"
    tail, args = (("float[] c, float[] vel, int c0, int ldc, float scale, float lr, float mu, float wd",
                   "c, vel, c0, ldc, scale, lr, mu, wd") if kind in ("step", "momentum") else
                  ("float[] b, int b0, float[] c, int c0, int ldc", "b, b0, c, c0, ldc"))
    d = [f"    /** Runs the {kind} tile of the given shape. */",
         f"    static void {kind}(int r, int nv, int depth, float[] p, {params}, float[] q, int q0, int ldq,",
         f"            {tail}) {{",
         "        switch (r * 4 + nv) {"]
    for r, nv in shapes(kind):
        d.append(f"            case {r * 4 + nv} -> {kind}{r}x{nv}(depth, p, {stride}, q, q0, ldq, {args});")
    d.append('            default -> throw new IllegalArgumentException("no " + r + "x" + nv + " tile");')
    d += ["        }", "    }"]
    return "\n".join(d)


HEADER = '''package dev.simdnet.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Generated by core/tools/gen_tiles.py: edit the script, not this file.
 *
 * <p>The micro-kernels of {@link VectorKernels}' direct product: a tile of C, {@code R} rows by
 * {@code NV} vectors, is {@code C[i][k] = sum over t < depth of P(i, t) * Q(t, k)}, plus
 * {@code b[b0 + k]} when b is not null, with {@code Q(t, k) = q[q0 + t * ldq + k]} and P read
 * either by rows, {@code P(i, t) = p[starts[s0 + i] + col + t]} (A in the forward pass), or by
 * columns, {@code P(i, t) = p[starts[s0 + t] + col + i]} (A^T in the weight gradient), where
 * {@code starts} holds where each row of A begins: rows anywhere, so that the first layer reads a
 * minibatch straight from the dataset. Two families of tiles, so that one of P's strides is always
 * 1 and C2 can take the range checks out of the loop or merge them; and "step" and "momentum",
 * the columns family whose sums, instead of being stored, are the gradient of an SGD step on C
 * (the weights, and with momentum their velocity), taken while they are still in registers. (One
 * family each: with both steps in one method, C1 ran out of registers and the 128-bit tiles ran
 * interpreted for seconds.) Every element of
 * C has its own accumulator, summed over t in order, so a result does not depend on the tile
 * shape that computed it. The accumulators stay in registers for the whole depth: each step of t
 * loads NV vectors of Q and broadcasts R values of P, and does R * NV FMAs.
 */
final class Tiles {

    private static final VectorSpecies<Float> S = VectorKernels.SPECIES;
    private static final int L = S.length();

    private Tiles() {
    }
'''

def main():
    kinds = ("rows", "cols", "step", "momentum")
    parts = [dispatch(kind) for kind in kinds]
    parts += [tile(r, nv, kind) for kind in kinds for r, nv in shapes(kind)]
    text = HEADER + "\n" + "\n\n".join(parts) + "\n}\n"
    root = pathlib.Path(__file__).resolve().parents[1]
    (root / "src/main/java/dev/simdnet/core/kernels/Tiles.java").write_text(text)

main()
