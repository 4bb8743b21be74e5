#!/usr/bin/env python3
"""Writes the small IDX fixtures of IdxReaderTest, good and corrupt. Run from this folder."""
import gzip
import struct


def idx(type_code, dims, data, magic_prefix=b"\x00\x00"):
    header = magic_prefix + bytes([type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    return header + bytes(data)


def write(name, content):
    with open(name, "wb") as f:
        f.write(content)


images = [(i * 37 + j) % 256 for i in range(5) for j in range(6)]  # 5 images of 2x3
labels = [3, 1, 4, 1, 5]

write("good-images", idx(0x08, [5, 2, 3], images))
write("good-labels", idx(0x08, [5], labels))
# mtime=0 keeps the gzip bytes the same on every run.
write("good-images.gz", gzip.compress(idx(0x08, [5, 2, 3], images), mtime=0))
write("good-labels.gz", gzip.compress(idx(0x08, [5], labels), mtime=0))
write("four-labels", idx(0x08, [4], labels[:4]))
write("bad-magic", idx(0x08, [5], labels, magic_prefix=b"\x50\x4b"))
write("float-type", idx(0x0D, [5], labels))
write("two-dims", idx(0x08, [5, 6], images))
write("zero-count", idx(0x08, [0, 2, 3], []))
write("absurd-header", idx(0x08, [0xFFFFFFF0, 0x4000, 0x4000], images))
write("huge-side", idx(0x08, [5, 100000, 3], images))
write("truncated-data", idx(0x08, [5, 2, 3], images[:17]))
write("truncated-header", idx(0x08, [5, 2, 3], images)[:9])
write("trailing-bytes", idx(0x08, [5], labels + [9, 9]))
whole = gzip.compress(idx(0x08, [5, 2, 3], images), mtime=0)
write("truncated-gzip.gz", whole[: len(whole) - 12])
corrupt = bytearray(whole)
corrupt[12] ^= 0xFF
write("corrupt-gzip.gz", bytes(corrupt))
write("empty", b"")
write("html.gz", b"<!DOCTYPE html><html><body>404 Not Found</body></html>\n")
