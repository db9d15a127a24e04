"""Writes full-size synthetic benchmark files, in their publishers' formats, for measuring betavae on
files of the real size (docs/datasets.md), each image drawn from its factors so a model has something
to learn:

  shapes3d   OUT/3dshapes.h5 (h5py, contiguous, as the publisher's)                          5.9 GB
  mpi3d      OUT/mpi3d_real.npz (numpy.savez: a stored member; link it as mpi3d_toy.npz and
             mpi3d_realistic.npz, the three share a format)                                  12.7 GB
  smallnorb  OUT/smallnorb-5x46789x9x18x6x2x96x96-training-{dat,cat,info}.mat and the
             5x01235 testing ones (NYU binary matrices, gunzipped)                           0.9 GB
  cars3d     OUT/car_001_mesh.mat ... car_183_mesh.mat (MATLAB v5 through scipy, `im`
             [128, 128, 3, 24, 4] uint8; compressed as MATLAB saves them)                    ~0.1-0.9 GB
  dsprites   OUT/dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz (numpy.savez_compressed,
             as the official archive: imgs, latents_classes, latents_values, metadata)      ~0.1 GB

Shapes3D and MPI3D: flat colours by the colour factors, a square whose size and place follow the
others. SmallNORB: a grey blob per category, placed by azimuth and elevation, lit by lighting.
Cars3D: a coloured box per object, shifted by azimuth and elevation. dSprites: square, ellipse or
heart at its scale, orientation and position.

Usage: python3 scripts/synthetic_benchmarks.py OUT_DIR [shapes3d] [mpi3d] [smallnorb] [cars3d] [dsprites] [--tile]
(no name: shapes3d and mpi3d). Needs numpy (h5py for Shapes3D, scipy for Cars3D). With --tile,
only the first 20,000 images of Shapes3D and MPI3D are drawn and repeated through the file (real
bytes on disk at disk speed, for timing on a busy machine; the pixels then match their factors only
in the first block).
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


def norb_matrix(path, magic, dims, data):
    """An NYU binary matrix: magic, rank, max(3, rank) dimensions (little-endian int32), data."""
    shown = list(dims) + [1] * (3 - len(dims))
    with open(path, "wb") as f:
        f.write(np.array([magic, len(dims)] + shown, "<i4").tobytes())
        f.write(np.ascontiguousarray(data).tobytes())


def smallnorb(folder):
    """Both chunks: 5 categories x 5 instances x 9 elevations x 18 azimuths x 6 lightings each,
    stereo pairs of 96x96 grey images, in NYU's order (the cat and info matrices beside)."""
    at = np.arange(96)
    for chunk, instances in (("5x46789x9x18x6x2x96x96-training", [4, 6, 7, 8, 9]),
                             ("5x01235x9x18x6x2x96x96-testing", [0, 1, 2, 3, 5])):
        grid_ = grid([5, 5, 9, 18, 6], 0, 24300)
        category, instance = grid_[:, 0], np.array(instances)[grid_[:, 1]]
        elevation, azimuth, lighting = grid_[:, 2], grid_[:, 3] * 2, grid_[:, 4]
        image = np.empty((24300, 96, 96), np.uint8)
        for start in range(0, 24300, 2000):
            g = grid_[start:start + 2000]
            cx = 20 + 56 * g[:, 3] / 17
            cy = 20 + 56 * g[:, 2] / 8
            radius = 8 + 3 * g[:, 0] + g[:, 1]
            dx = at[None, None, :] - cx[:, None, None]
            dy = at[None, :, None] - cy[:, None, None]
            # Category picks the outline: disc, square, diamond, wide bar, tall bar.
            norms = [np.hypot(dx, dy), np.maximum(abs(dx), abs(dy)), abs(dx) + abs(dy),
                     np.maximum(abs(dx) / 2, abs(dy) * 2), np.maximum(abs(dx) * 2, abs(dy) / 2)]
            norm = np.choose(g[:, 0][:, None, None], norms)
            light = (90 + 30 * g[:, 4])[:, None, None]
            image[start:start + len(g)] = np.where(norm < radius[:, None, None], light, 30)
        pairs = np.repeat(image[:, None], 2, axis=1)
        norb_matrix(os.path.join(folder, f"smallnorb-{chunk}-dat.mat"), 0x1E3D4C55, [24300, 2, 96, 96], pairs)
        norb_matrix(os.path.join(folder, f"smallnorb-{chunk}-cat.mat"), 0x1E3D4C54, [24300], category.astype("<i4"))
        info = np.stack([instance, elevation, azimuth, lighting], 1).astype("<i4")
        norb_matrix(os.path.join(folder, f"smallnorb-{chunk}-info.mat"), 0x1E3D4C54, [24300, 4], info)


def cars3d(folder):
    """183 cars, each `im` [128, 128, 3, 24, 4]: a box coloured by the car, moved by azimuth (24)
    and elevation (4), on a white background, saved compressed as MATLAB does."""
    import scipy.io
    at = np.arange(128)
    for car in range(183):
        colour = np.array([np.cos(car * 0.37), np.cos(car * 0.71 + 1), np.cos(car * 1.13 + 2)]) * 100 + 128
        width = 20 + car % 30
        im = np.full((128, 128, 3, 24, 4), 255, np.uint8)
        for a in range(24):
            for e in range(4):
                x, y = 20 + 3 * a, 30 + 15 * e
                rows = (at >= y) & (at < y + 30)
                columns = (at >= x) & (at < x + width)
                mask = rows[:, None] & columns[None, :]
                im[mask, :, a, e] = colour.astype(np.uint8)
        scipy.io.savemat(os.path.join(folder, f"car_{car + 1:03d}_mesh.mat"), {"im": im}, do_compression=True)


def dsprites(folder):
    """The dSprites grid (colour 1, shape 3, scale 6, orientation 40, x 32, y 32): 737,280 0/1
    masks with latents_classes and latents_values, savez_compressed like the official archive."""
    sizes = [1, 3, 6, 40, 32, 32]
    n = int(np.prod(sizes))
    classes = grid(sizes, 0, n)
    values = np.stack([np.ones(n), classes[:, 1] + 1.0, 0.5 + classes[:, 2] / 10,
                       classes[:, 3] * 2 * np.pi / 39, classes[:, 4] / 31, classes[:, 5] / 31], 1)
    imgs = np.empty((n, 64, 64), np.uint8)
    at = np.arange(64) + 0.5
    for start in range(0, n, 4096):
        c, v = classes[start:start + 4096], values[start:start + 4096]
        cx, cy = 10 + 44 * v[:, 4], 10 + 44 * v[:, 5]
        dx = at[None, None, :] - cx[:, None, None]
        dy = at[None, :, None] - cy[:, None, None]
        angle = v[:, 3][:, None, None]
        u = (np.cos(angle) * dx + np.sin(angle) * dy) / (10 * v[:, 2])[:, None, None]
        w = (-np.sin(angle) * dx + np.cos(angle) * dy) / (10 * v[:, 2])[:, None, None]
        square = np.maximum(abs(u), abs(w)) < 1
        ellipse = (u / 1.3) ** 2 + (w / 0.7) ** 2 < 1
        heart = (u ** 2 + (1.2 * w) ** 2 - 1) ** 3 - u ** 2 * (1.2 * w) ** 3 < 0
        imgs[start:start + len(c)] = np.choose(c[:, 1][:, None, None], [square, ellipse, heart])
    np.savez_compressed(os.path.join(folder, "dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz"), imgs=imgs,
                        latents_classes=classes, latents_values=values,
                        metadata=np.array({"description": "synthetic dSprites (scripts/synthetic_benchmarks.py)"}, dtype=object))


WRITERS = {"shapes3d": shapes3d, "mpi3d": mpi3d, "smallnorb": smallnorb, "cars3d": cars3d, "dsprites": dsprites}

if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or "-h" in args or "--help" in args:
        print(__doc__.strip(), file=sys.stdout if args else sys.stderr)
        sys.exit(0 if args else 2)
    unknown = [a for a in args if a.startswith("-") and a != "--tile"] + [a for a in args[1:] if not a.startswith("-") and a not in WRITERS]
    if unknown or args[0].startswith("-"):
        sys.exit(f"synthetic_benchmarks.py: unknown argument(s) {unknown or args[:1]}; usage: OUT_DIR [{'] ['.join(WRITERS)}] [--tile]")
    out = args[0]
    os.makedirs(out, exist_ok=True)
    which = [a for a in args[1:] if not a.startswith("-")] or ["shapes3d", "mpi3d"]
    for name in which:
        WRITERS[name](out)
