"""Writes a large uncompressed CODES.npz for measuring `betavae score` at its limits (issue 22:
100,000 rows × 4,096 latents): `codes` float32 [N, Z] and `factors` int64 [N, 5] with dSprites'
factor sizes (shape 3, scale 6, orientation 40, x 32, y 32), each row's factors drawn uniformly.
The first five latents read one factor each (the class scaled to [-1, 1] plus N(0, 0.1²) noise),
latent 5 mixes x and y, and every other latent is N(0, 1) noise. Written as numpy.savez writes it
(stored members, zip64) but streamed in chunks, so it needs ~100 MB of memory, not the 1.6 GB file.

Usage: python3 scripts/large_codes.py OUT.npz [--rows 100000] [--latents 4096] [--seed 0]
"""
import argparse
import zipfile

import numpy as np
from numpy.lib import format as npformat

SIZES = [3, 6, 40, 32, 32]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--latents", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=0)
    a = parser.parse_args()
    rng = np.random.default_rng(a.seed)
    n, z = a.rows, a.latents
    assert z >= 6
    factors = np.stack([rng.integers(0, k, n) for k in SIZES], 1).astype(np.int64)
    chunk = 2048
    with zipfile.ZipFile(a.out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        with archive.open("codes.npy", "w", force_zip64=True) as member:
            npformat.write_array_header_1_0(member, {"descr": "<f4", "fortran_order": False, "shape": (n, z)})
            for start in range(0, n, chunk):
                f = factors[start:start + chunk]
                block = rng.standard_normal((f.shape[0], z), dtype=np.float32)
                scaled = 2 * f / (np.array(SIZES) - 1) - 1
                block[:, :5] = scaled + 0.1 * rng.standard_normal(scaled.shape)
                block[:, 5] = 0.5 * (scaled[:, 3] + scaled[:, 4]) + 0.1 * rng.standard_normal(f.shape[0])
                member.write(np.ascontiguousarray(block, dtype="<f4").tobytes())
        with archive.open("factors.npy", "w", force_zip64=True) as member:
            npformat.write_array_header_1_0(member, {"descr": "<i8", "fortran_order": False, "shape": factors.shape})
            member.write(factors.tobytes())


if __name__ == "__main__":
    main()
