#!/usr/bin/env python3
"""Checks a HotSpot compilation log for tiles compiled with boxed vectors.

Every C2 (not OSR) compile of a Tiles method should intrinsify all R x NV of its stores; a store
that is not (VectorSupport.store "failed to inline (intrinsic)") boxes its vector, and the tile then
runs about 14x slower. That happened on JDK 17 in one run in a few until session 4 (BENCHMARKS.md).
Also reports the highest count of speculated class checks in one compile of a tile: C2 stops
speculating at 100 (PerMethodTrapLimit), which is how the stores were lost.

Make a log and check it (exit status 1 if a tile is short of stores):

    JAVA_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=/tmp/c.log" \\
        ./simdnet train --data ../shared/data/fashion-mnist --layers 784,800,10 --activation relu \\
        --loss cross-entropy --lr 0.05 --momentum 0.9 --epochs 1 --threads 1
    python3 core/tools/check_tile_intrinsics.py /tmp/c.log
"""
import re
import sys

TILE = re.compile(r"method='dev\.simdnet\.core\.kernels\.Tiles (rows|fixed|cols)(\d+)x(\d+) ")
# The paired layout's tiles: R rows (or N pairs) of 2 vectors each.
PAIRED = re.compile(r"method='dev\.simdnet\.core\.kernels\.Tiles (pairForward|pairFixed|pairWeight)(\d+) ")
C1 = re.compile(r"level='[123]'")
CCOUNT = re.compile(r"<observe trap='class_check'.*ccount='(\d+)'")


def check(path):
    short, compiles, most_checks = [], 0, 0
    tile = None
    with open(path, encoding="latin-1") as log:
        for line in log:
            if line.startswith("<task "):
                m = TILE.search(line)
                tile = None
                p = PAIRED.search(line)
                if m and not C1.search(line) and "compile_kind='osr'" not in line:
                    tile = [f"{m.group(1)}{m.group(2)}x{m.group(3)}", int(m.group(2)) * int(m.group(3)), 0]
                elif p and not C1.search(line) and "compile_kind='osr'" not in line:
                    tile = [f"{p.group(1)}{p.group(2)}", 2 * int(p.group(2)), 0]
            elif tile and "<intrinsic id='_VectorStoreOp'" in line:
                tile[2] += 1
            elif tile and "<observe trap='class_check'" in line:
                c = CCOUNT.search(line)
                if c:
                    most_checks = max(most_checks, int(c.group(1)))
            elif tile and line.startswith("</task>"):
                compiles += 1
                if tile[2] < tile[1]:
                    short.append(f"{tile[0]}: {tile[2]} of {tile[1]} stores intrinsified")
                tile = None
    return short, compiles, most_checks


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: check_tile_intrinsics.py COMPILATION_LOG...")
    failed = False
    for path in sys.argv[1:]:
        short, compiles, most_checks = check(path)
        print(f"{path}: {compiles} C2 compiles of tiles, most speculated class checks in one: {most_checks}")
        if compiles == 0:
            print("  no C2 compile of a tile in this log: nothing was checked")
        for s in short:
            print("  " + s)
        failed |= bool(short)
    sys.exit(1 if failed else 0)


main()
