"""Writes full-size synthetic Shapes3D and MPI3D files, in their publishers' formats, for measuring
betavae on files of the real size (docs/datasets.md): `3dshapes.h5` (h5py, contiguous, as the
publisher's) and `mpi3d_real.npz` (numpy.savez: a stored member), each image drawn from its factors
(flat colours by the colour factors, a square whose size and place follow the others) so a model has
something to learn. Usage: python3 scripts/synthetic_benchmarks.py OUT_DIR [shapes3d] [mpi3d]
Needs numpy (and h5py for Shapes3D). Writes 5.9 GB and 12.7 GB. With --tile, only the first
20,000 images are drawn and repeated through the file (real bytes on disk at disk speed, for timing
on a busy machine; the pixels then match their factors only in the first block).
"""
import os
import sys
import zipfile

import numpy as np
from numpy.lib import format as npformat


def draw(classes, sizes):
    """Images [N, 64, 64, 3] uint8 for factor classes [N, F]: the first three factors pick the
    background, a stripe and the square's colour; the rest move and scale the square."""
    n = classes.shape[0]
    image = np.empty((n, 64, 64, 3), np.uint8)
    hue = lambda k, f: (np.stack([np.cos(k * 2.1 + f), np.cos(k * 1.3 + 2 * f), np.cos(k * 0.7 + 4 * f)], 1) * 100 + 128).astype(np.uint8)
    image[:] = hue(classes[:, 0] / sizes[0], 0.0)[:, None, None, :]
    image[:, 40:, :, :] = hue(classes[:, 1] / sizes[1], 1.0)[:, None, None, :]
    rest = classes[:, 3:] / np.maximum(np.array(sizes[3:]) - 1, 1)
    side = (8 + 12 * rest[:, 0]).astype(int)
    x = (4 + 40 * rest[:, -1]).astype(int)
    y = (4 + 40 * rest[:, -2]).astype(int)
    colour = hue(classes[:, 2] / sizes[2], 2.0)
    at = np.arange(64)
    rows = (at[None, :] >= y[:, None]) & (at[None, :] < (y + side)[:, None])
    columns = (at[None, :] >= x[:, None]) & (at[None, :] < (x + side)[:, None])
    square = rows[:, :, None] & columns[:, None, :]
    return np.where(square[..., None], colour[:, None, None, :], image)


TILE = "--tile" in sys.argv
BLOCK = 20000
_first = {}


def block(sizes, start, stop):
    """The images of grid positions start..<stop (with --tile, those of the first block, repeated)."""
    if not TILE:
        return draw(grid(sizes, start, stop), sizes)
    key = tuple(sizes)
    if key not in _first:
        _first[key] = draw(grid(sizes, 0, BLOCK), sizes)
    return _first[key][:stop - start]


def grid(sizes, start, stop):
    index = np.arange(start, stop)
    out = np.empty((stop - start, len(sizes)), np.int64)
    for f in range(len(sizes) - 1, -1, -1):
        out[:, f] = index % sizes[f]
        index //= sizes[f]
    return out


def shapes3d(folder):
    import h5py
    sizes = [10, 10, 10, 8, 4, 15]
    n = int(np.prod(sizes))
    with h5py.File(os.path.join(folder, "3dshapes.h5"), "w") as f:
        images = f.create_dataset("images", (n, 64, 64, 3), np.uint8)
        labels = f.create_dataset("labels", (n, 6), np.float64)
        for start in range(0, n, BLOCK):
            classes = grid(sizes, start, min(n, start + BLOCK))
            images[start:start + len(classes)] = block(sizes, start, start + len(classes))
            values = classes.astype(np.float64)
            values[:, :3] /= 10
            values[:, 3] = 0.75 + values[:, 3] / 14
            values[:, 5] = -30 + 60 * values[:, 5] / 14
            labels[start:start + len(classes)] = values


def mpi3d(folder):
    sizes = [6, 6, 2, 3, 3, 40, 40]
    n = int(np.prod(sizes))
    header = {"descr": "|u1", "fortran_order": False, "shape": (n, 64, 64, 3)}
    with zipfile.ZipFile(os.path.join(folder, "mpi3d_real.npz"), "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        with archive.open("images.npy", "w", force_zip64=True) as member:
            npformat.write_array_header_1_0(member, header)
            for start in range(0, n, BLOCK):
                member.write(block(sizes, start, min(n, start + BLOCK)).tobytes())


if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    which = [a for a in sys.argv[2:] if not a.startswith("--")] or ["shapes3d", "mpi3d"]
    if "shapes3d" in which:
        shapes3d(out)
    if "mpi3d" in which:
        mpi3d(out)
