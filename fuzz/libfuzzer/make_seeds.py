#!/usr/bin/env python3
# Writes the seed corpus of fuzz_tlp (fuzz/corpus/seed-*): small hand-made programs in the byte
# format of docs/fuzzing.md. Re-run after changing the format: python3 fuzz/libfuzzer/make_seeds.py
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'corpus')
UP, IND, EVT = 0x20, 0x40, 0x80          # first byte: bring-up, INDIRECT_DESC, EVENT_IDX
Q8 = 3 << 1                              # queue size 2^3


def run(cycles):
    return bytes([6]) + struct.pack('<H', cycles)


def blk(type_, sector, head, blocks):
    return bytes([15, type_, sector, head, blocks])


def desc(slot, flags, nxt, length, off):
    return bytes([9, slot, flags]) + struct.pack('<HHH', nxt, length, off)


def itab(entry, flags, nxt, length, off):
    return bytes([10, entry, flags]) + struct.pack('<HHH', nxt, length, off)


def buf(off, data):
    return bytes([14, len(data) - 1]) + data + struct.pack('<H', off)


seeds = {
    # bring-up, one IN of one block, an OUT of two, a FLUSH, a GET_ID
    'seed-blk-in': bytes([UP | Q8]) + blk(0, 3, 0, 1) + run(400),
    'seed-blk-out': bytes([UP | Q8 | 1]) + blk(1, 5, 2, 2) + run(500),
    'seed-blk-flush-getid': bytes([UP | Q8]) + blk(4, 0, 0, 0) + run(300) + blk(8, 0, 3, 1)
    + run(400),
    # a hand-built IN as one indirect descriptor: header (readable), 512 data, status (writable)
    'seed-blk-indirect': bytes([UP | Q8 | IND | EVT])
    + buf(0, struct.pack('<IIQ', 0, 0, 7))
    + itab(0, 1, 1, 16, 0) + itab(1, 3, 2, 512, 0) + itab(2, 2, 0, 1, 1024)
    + desc(0, 4, 0, 48, 0)
    + bytes([11, 0]) + struct.pack('<H', 0) + bytes([12, 0]) + bytes([8]) + run(400),
    # no bring-up: configuration and BAR accesses, a hand-built MRd and a malformed raw TLP
    'seed-cfg-raw': bytes([0]) + bytes([0x20]) + struct.pack('<H', 0)
    + bytes([0x21]) + struct.pack('<HI', 0x10, 0x00100000)
    + bytes([0x02]) + struct.pack('<H', 0x14) + bytes([4, 1, 0, 0x0F]) + struct.pack('<H', 0x14)
    + bytes([0]) + bytes([5, 1]) + struct.pack('<II', 0xFF000001, 0x12345678),
}
for name, data in seeds.items():
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(data)
