#!/usr/bin/env python3
"""Writes core/src/main/java/dev/simdnet/core/kernels/Tiles.java: the register-tiled micro-kernels
of VectorKernels' direct matrix product, one method per tile shape (R rows x NV vectors), the
paired tiles, and the in-register transposition of L x L blocks (transpose16, 8 and 4).

Java has no macros and C2 keeps vectors in registers only when every accumulator is its own local
variable, so each shape is written out in full; this script is the one place they are written.
Run it from the repository root after changing it: python3 core/tools/gen_tiles.py
"""
import pathlib

SHAPES = [(16, 1)] + [(r, nv) for r in (8, 4, 1) for nv in (3, 2, 1)]



def shapes(kind):
    """A single row has nothing to gain from fixed distances between rows."""
    return [(r, nv) for r, nv in SHAPES if kind != "fixed" or r > 1]


def vec(v):
    return "" if v == 0 else " + L" if v == 1 else f" + {v} * L"


def tile(r, nv, kind):
    """kind "rows": P(i, t) = p[starts[s0 + i] + col + t], one row of P per accumulator row,
    stepping along it (C2 hoists the range checks of r_i + t out of the loop). kind "fixed": the
    same with the rows ROW_STRIDE apart, P(i, t) = p[starts[s0] + col + i * ROW_STRIDE + t], so that
    every row's address is one index plus a constant. kind "cols": P(i, t) =
    p[starts[s0 + t] + col + i], R adjacent values per step (their range checks merge)."""
    accs = [f"c{i}{v}" for i in range(r) for v in range(nv)]
    out = []
    w = out.append
    stride = "int[] starts, int s0, int col"
    name = f"{kind}{r}x{nv}"
    tail = "float[] b, int b0, float[] c, int c0, int ldc"
    how = {"rows": "by rows", "fixed": "by rows ROW_STRIDE apart", "cols": "by columns"}[kind]
    w(f"    /** C ({r} x {nv} vectors) = P ({r} x depth) * Q (depth x {nv} vectors) [+ b], P {how}. */")
    w(f"    static void {name}(int depth, float[] p, {stride}, float[] q, int q0, int ldq,")
    w(f"            {tail}) {{")
    # The sums start at the bias (or +0), so that nothing is left to do on them after the loop but
    # store them. C2 types an accumulator only as FloatVector (it is a loop phi), so every call on
    # one, in the loop (as the FMA's addend) and after it, costs a class check speculated from the
    # profile; past 100 of them in one compilation (-XX:PerMethodTrapLimit) C2 speculates no more,
    # and the calls that remain read the species from the object, are not intrinsified and box
    # their vectors. With the bias added after the loop, the 8x3 tile came to about 145 checks,
    # and on JDK 17 a run in five to ten took 14x longer (LogCompilation's observe trap lines,
    # -XX:+PrintIntrinsics); now it is one per accumulator in the loop and one per store.
    for v in range(nv):
        w(f"        FloatVector y{v} = b == null ? FloatVector.zero(S) : FloatVector.fromArray(S, b, b0{vec(v)});")
    for i in range(0, len(accs), 6):
        w("        FloatVector " + ", ".join(f"{a} = y{a[-1]}" for a in accs[i:i + 6]) + ";")
    if kind == "fixed":
        w("        int r0 = starts[s0] + col;")
    if kind == "rows":
        for i in range(0, r, 4):
            w("        int " + ", ".join(f"r{j} = starts[s0{' + ' + str(j) if j else ''}] + col" for j in range(i, min(r, i + 4))) + ";")
    w(f"        for (int t = 0; t < depth; t++) {{")
    w(f"            int qi = q0 + t * ldq;")
    if kind == "cols":
        w(f"            int pk = starts[s0 + t] + col;")
    for v in range(nv):
        w(f"            FloatVector x{v} = FloatVector.fromArray(S, q, qi{vec(v)});")
    for i in range(r):
        if kind == "rows":
            idx = f"r{i} + t"
        elif kind == "fixed":
            idx = "r0 + t" + (f" + {i} * ROW_STRIDE" if i else "")
        else:
            idx = "pk" if i == 0 else f"pk + {i}"
        w(f"            {'FloatVector ' if i == 0 else ''}d = FloatVector.broadcast(S, p[{idx}]);")
        for v in range(nv):
            w(f"            c{i}{v} = d.fma(x{v}, c{i}{v});")
    w("        }")
    for i in range(r):
        row = "c0" if i == 0 else f"c0 + {i} * ldc" if i > 1 else "c0 + ldc"
        for v in range(nv):
            off = row + vec(v)
            w(f"        c{i}{v}.intoArray(c, {off});")
    w("    }")
    return "\n".join(out)


def pair_accumulators(w, n):
    """a0..a(n-1) and b0..b(n-1), the two vectors of n rows (or pairs), all starting at zero."""
    rest = [f"a{i}" for i in range(1, n)] + [f"b{i}" for i in range(n)]
    w("        FloatVector a0 = FloatVector.zero(S);")
    for i in range(0, len(rest), 8):
        w("        FloatVector " + ", ".join(f"{a} = a0" for a in rest[i:i + 8]) + ";")


def pair_stores(w, n):
    """Row (or pair) i's two vectors to t[2i * L] and t[(2i + 1) * L], and the method's end."""
    for i in range(n):
        w(f"        a{i}.intoArray(t, {2 * i} * L);")
        w(f"        b{i}.intoArray(t, {2 * i + 1} * L);")
    w("    }")


def pair_forward(r, fixed=False):
    """The paired layout's forward tile (see Kernels): r rows of XP, each step of p loading two
    vectors of WP and broadcasting one 64-bit pair of inputs per row, two FMAs each. Each lane
    sums the products of one input parity for one neuron; the caller adds the two parities.
    fixed: XP's rows exactly PAIR_STRIDE apart, each row's pair at one index plus a constant, and
    the loop unrolled twice (C2 leaves it rolled). Against pairForward on the lecture network's
    100 x 400 blocks: 0.78-0.86 of the time on JDK 25, 0.89-0.97 on JDK 17 (harness); rolled, 0.86-0.97
    on JDK 25, and unrolled four times no better than twice."""
    out = []
    w = out.append
    name, apart = ("pairFixed", " PAIR_STRIDE apart") if fixed else ("pairForward", "")
    w(f"    /** {r} rows{apart} of the paired forward pass (see Kernels): each lane's sum over its parity of inputs, into t. */")
    if fixed:
        w(f"    static void {name}{r}(int pairs, double[] x, int x0, float[] wp, int w0, float[] t) {{")
    else:
        w(f"    static void {name}{r}(int pairs, double[] x, int x0, int ldx, float[] wp, int w0, float[] t) {{")
    pair_accumulators(w, r)
    for i in range(1, r if not fixed else 1):
        w(f"        int x{i} = x{i - 1} + ldx;")

    def body(q, first):
        w(f"            {'int ' if first else ''}wi = w0 + 2 * L * {q};")
        w(f"            {'FloatVector ' if first else ''}v0 = FloatVector.fromArray(S, wp, wi);")
        w(f"            {'FloatVector ' if first else ''}v1 = FloatVector.fromArray(S, wp, wi + L);")
        for i in range(r):
            at = (f"x0 + {q}{f' + {i} * PAIR_STRIDE' if i else ''}") if fixed else f"x{i} + {q}"
            w(f"            {'FloatVector ' if i == 0 and first else ''}u = DoubleVector.broadcast(D, x[{at}]).reinterpretAsFloats();")
            w(f"            a{i} = u.fma(v0, a{i});")
            w(f"            b{i} = u.fma(v1, b{i});")
    if fixed:
        w("        int p = 0;")
        w("        for (; p + 1 < pairs; p += 2) {")
        body("p", True)
        body("(p + 1)", False)
        w("        }")
        w("        for (; p < pairs; p++) {")
        body("p", True)
        w("        }")
    else:
        w("        for (int p = 0; p < pairs; p++) {")
        body("p", True)
        w("        }")
    pair_stores(w, r)
    return "\n".join(out)


def pair_weight(n):
    """The paired layout's weight-gradient tile: n pairs of inputs by all the layer's (one vector
    of) neurons, twice, summed over the rows, each step loading two vectors of DZP and
    broadcasting n pairs of the row's inputs."""
    out = []
    w = out.append
    w(f"    /** {n} pair{'s' if n > 1 else ''} of inputs of the paired weight gradient (see Kernels), over all rows, into t. */")
    w(f"    static void pairWeight{n}(int rows, double[] x, int x0, int ldx, float[] dzp, int d0, float[] t) {{")
    pair_accumulators(w, n)
    w("        for (int r = 0; r < rows; r++) {")
    w("            int d = d0 + 2 * L * r;")
    w("            FloatVector g0 = FloatVector.fromArray(S, dzp, d);")
    w("            FloatVector g1 = FloatVector.fromArray(S, dzp, d + L);")
    w("            int xr = x0 + r * ldx;")
    for i in range(n):
        w(f"            {'FloatVector ' if i == 0 else ''}u = DoubleVector.broadcast(D, x[xr{' + ' + str(i) if i else ''}]).reinterpretAsFloats();")
        w(f"            a{i} = u.fma(g0, a{i});")
        w(f"            b{i} = u.fma(g1, b{i});")
    w("        }")
    pair_stores(w, n)
    return "\n".join(out)


def dispatch(kind):
    stride = "starts, s0, col"
    params = "int[] starts, int s0, int col"
    tail, args = "float[] b, int b0, float[] c, int c0, int ldc", "b, b0, c, c0, ldc"
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

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Generated by core/tools/gen_tiles.py: edit the script, not this file.
 *
 * <p>The micro-kernels of {@link VectorKernels}' direct product: a tile of C, {@code R} rows by
 * {@code NV} vectors, is {@code C[i][k] = b[b0 + k] + sum over t < depth of P(i, t) * Q(t, k)}
 * (without the b term when b is null), with {@code Q(t, k) = q[q0 + t * ldq + k]} and P read
 * either by rows, {@code P(i, t) = p[starts[s0 + i] + col + t]} (A in the forward pass), or by
 * columns, {@code P(i, t) = p[starts[s0 + t] + col + i]} (A^T in the weight gradient), where
 * {@code starts} holds where each row of A begins: rows anywhere, so that the first layer reads a
 * minibatch straight from the dataset. Two families of tiles, so that one of P's strides is always
 * 1 and C2 can take the range checks out of the loop or merge them. A third, {@code fixed}, is the
 * rows family for rows exactly {@link #ROW_STRIDE} floats apart, {@code P(i, t) = p[starts[s0] +
 * col + i * ROW_STRIDE + t]}: every row's address is then one index plus a constant, where the
 * rows family keeps an index per row, which for 16 rows is more than x86 has registers for. On
 * the lecture network's first layer (100 x 784 by 784 x 16) the one-vector tile of 16 rows was
 * 1.2-1.5x faster so (a harness, JDK 17 and 25). (There were two more, which
 * took the SGD step on the sums while they were still in registers. They were as fast as storing
 * the tile to an L1 scratch and stepping from there, but at 1.5-2 KB of bytecode each they were
 * fragile in the JIT: C1 ran out of registers on some, C2 stopped inlining inside others, and a
 * tile left uncompiled or with boxed vectors made training 100x slower.) Every element of
 * C has its own accumulator, which starts at the bias and adds the products over t in order, so
 * a result does not depend on the tile shape that computed it. The accumulators stay in registers for the whole depth: each step of t
 * loads NV vectors of Q and broadcasts R values of P, and does R * NV FMAs.
 *
 * <p>Last, the tiles of the paired layout of {@link Kernels} (a first layer one vector wide):
 * {@code pairForward} R rows by the layer's neurons, {@code pairWeight} N pairs of inputs by its
 * neurons, both two vectors wide, each 64-bit broadcast of a pair of inputs feeding two FMAs, and
 * {@code pairFixed}, pairForward for rows of XP exactly {@link #PAIR_STRIDE} apart, as the
 * {@code fixed} family is to the rows family. They store their lanes to a scratch tile for
 * VectorKernels to finish.
 */
final class Tiles {

    private static final VectorSpecies<Float> S = VectorKernels.SPECIES;
    private static final int L = S.length();
    /** Doubles of the floats' width: one lane per pair of inputs in the paired tiles. */
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, S.vectorShape());

    /**
     * The distance between rows that the {@code fixed} tiles take: 1024 + 16 floats, so that rows
     * of up to 1040 values fit, and that 16 rows read at the same column fall in 16 different sets
     * of the L1 cache (4160 bytes is 65 lines; a multiple of 4 KB would put them all in one).
     */
    static final int ROW_STRIDE = 1040;

    /**
     * The distance between rows of XP that the {@code pairFixed} tiles take: 200 pairs, the 400
     * inputs of one of the trainer's blocks of the first layer. 8 rows read at the same pair fall in
     * 8 different sets of the L1 cache (1600 bytes is 25 lines).
     */
    static final int PAIR_STRIDE = 200;

    private Tiles() {
    }
'''


def transpose_constants():
    """The shuffles and masks of transpose(n): for each k, lanes with bit k set (MASK), each lane
    from k lanes below where that bit is set (UP) and from k lanes above where it is not (DOWN)."""
    out = ["    // transpose(n)'s steps, one per bit k of a lane's index (none where k >= L)."]
    for k in (1, 2, 4, 8):
        out.append(f"    private static final VectorShuffle<Float> T{k}_UP = {k} < L"
                   f" ? VectorShuffle.fromOp(S, j -> (j & {k}) != 0 ? j - {k} : j) : null;")
        out.append(f"    private static final VectorShuffle<Float> T{k}_DOWN = {k} < L"
                   f" ? VectorShuffle.fromOp(S, j -> (j & {k}) == 0 ? j + {k} : j) : null;")
        out.append(f"    private static final VectorMask<Float> T{k}_MASK = {k} < L ? bitSet({k}) : null;")
    out.append("""
    /** The lanes whose index has bit k set. */
    private static VectorMask<Float> bitSet(int k) {
        boolean[] set = new boolean[L];
        for (int j = 0; j < L; j++) {
            set[j] = (j & k) != 0;
        }
        return VectorMask.fromArray(S, set, 0);
    }""")
    return "\n".join(out)


def transpose(n):
    """An n x n block in registers (n = L): n rows loaded, then for each bit k of the index the
    off-diagonal k x k sub-blocks of every 2k x 2k block swapped (one rearrange and one blend a
    vector), which swaps bit k between row and lane; after every bit, element (i, j) is at (j, i)."""
    lines = []
    w = lines.append
    w(f"    /**")
    w(f"     * dst[d + j * ldd + i] = src[s + i * lds + j] for i, j < {n}: a {n} x {n} block transposed in")
    w(f"     * registers (only where L is {n}), without the gathers that C2 did not always intrinsify.")
    w(f"     */")
    w(f"    static void transpose{n}(float[] src, int s, int lds, float[] dst, int d, int ldd) {{")
    for i in range(n):
        w(f"        FloatVector a{i} = FloatVector.fromArray(S, src, s{f' + {i} * lds' if i else ''});")
    prev = "a"
    k = 1
    stage = 0
    while k < n:
        cur = "bcde"[stage]
        for i in range(n):
            if i & k:
                continue
            x, y = f"{prev}{i}", f"{prev}{i + k}"
            w(f"        FloatVector {cur}{i} = {x}.blend({y}.rearrange(T{k}_UP), T{k}_MASK);")
            w(f"        FloatVector {cur}{i + k} = {x}.rearrange(T{k}_DOWN).blend({y}, T{k}_MASK);")
        prev = cur
        k *= 2
        stage += 1
    for j in range(n):
        w(f"        {prev}{j}.intoArray(dst, d{f' + {j} * ldd' if j else ''});")
    w("    }")
    return "\n".join(lines)


def main():
    kinds = ("rows", "fixed", "cols")
    parts = [dispatch(kind) for kind in kinds]
    parts += [tile(r, nv, kind) for kind in kinds for r, nv in shapes(kind)]
    parts += [pair_forward(r) for r in (8, 4, 1)] + [pair_forward(r, True) for r in (8, 4)]
    parts += [pair_weight(n) for n in (8, 1)]
    parts += [transpose_constants()] + [transpose(n) for n in (16, 8, 4)]
    text = HEADER + "\n" + "\n\n".join(parts) + "\n}\n"
    root = pathlib.Path(__file__).resolve().parents[1]
    (root / "src/main/java/dev/simdnet/core/kernels/Tiles.java").write_text(text)

main()
