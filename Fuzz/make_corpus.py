"""Writes the fuzzers' seed corpus and dictionaries (run from anywhere: python3 Fuzz/make_corpus.py).

Fuzz/corpus/TARGET/ gets a few small valid inputs per target and a few malformed ones (named
bad-*), every file well under 8 KB; Fuzz/dict/TARGET.dict gets libFuzzer dictionary tokens. The
output is the same on every run (fixed seeds, no timestamps), so `git status` shows when it changed.
Check the seeds with the replayer:  swift build --product fuzz && .build/debug/fuzz TARGET Fuzz/corpus/TARGET
(valid seeds print ok, bad-* print an error; none may crash). Needs numpy only.
"""
import gzip
import io
import json
import os
import shutil
import struct
import zipfile
import zlib

import numpy as np
from numpy.lib import format as npformat

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(ROOT, "corpus")
DICT = os.path.join(ROOT, "dict")
rng = np.random.default_rng(0)
# The script owns both folders (renamed seeds leave nothing behind), except corpus/checkpoint's
# valid seed, which only the model code can write: `.build/debug/fuzz seed checkpoint FILE`.
kept = os.path.join(CORPUS, "checkpoint", "checkpoint.safetensors")
kept_bytes = open(kept, "rb").read() if os.path.exists(kept) else None
shutil.rmtree(CORPUS, ignore_errors=True)
shutil.rmtree(DICT, ignore_errors=True)


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    assert len(data) < 8000, (target, name, len(data))
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def write_dict(target, tokens):
    os.makedirs(DICT, exist_ok=True)
    with open(os.path.join(DICT, target + ".dict"), "w") as f:
        f.write("# libFuzzer dictionary for the %s target; written by Fuzz/make_corpus.py\n" % target)
        for token in sorted(set(tokens), key=lambda t: (len(t), t)):
            f.write('"%s"\n' % "".join(chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else "\\x%02X" % b for b in token))


def gz(data):
    """gzip with a fixed mtime, so the bytes do not change between runs."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=9) as f:
        f.write(data)
    return out.getvalue()


# --- idx: MNIST-format images (rank 3) and labels (rank 1), raw and gzip -----------------------
images = (rng.random((4, 6, 6)) * 255).astype(np.uint8)
labels = np.array([3, 1, 4, 1], dtype=np.uint8)
idx_images = struct.pack(">IIII", 0x0803, 4, 6, 6) + images.tobytes()
idx_labels = struct.pack(">II", 0x0801, 4) + labels.tobytes()
write("idx", "images.idx3", idx_images)
write("idx", "labels.idx1", idx_labels)
write("idx", "images.idx3.gz", gz(idx_images))
write("idx", "labels.idx1.gz", gz(idx_labels))
write("idx", "bad-empty.idx1", struct.pack(">II", 0x0801, 0))
write("idx", "bad-truncated.idx3", idx_images[:40])
write("idx", "bad-magic.idx3", struct.pack(">IIII", 0x0D03, 4, 6, 6) + images.tobytes())
write("idx", "bad-truncated.idx3.gz", gz(idx_images)[:30])
write("idx", "bad-huge.idx3.gz", gz(struct.pack(">IIII", 0x0803, 60000, 28, 28) + bytes(100)))
write_dict("idx", [b"\x00\x00\x08\x01", b"\x00\x00\x08\x03", b"\x1f\x8b\x08\x00", b"\xff\xff\xff\xff"])

# --- npy: one array per supported dtype, the three format versions, and what must be refused ---
def npy(array, version=None):
    out = io.BytesIO()
    npformat.write_array(out, array, version=version)
    return out.getvalue()

small = np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.0]], dtype=np.float32)
write("npy", "u1.npy", npy(np.arange(24, dtype=np.uint8).reshape(2, 3, 4)))
write("npy", "i8.npy", npy(np.array([-5, 0, 1 << 40], dtype=np.int64)))
write("npy", "f4.npy", npy(small))
write("npy", "f8.npy", npy(np.array([0.25, -1e10, np.inf], dtype=np.float64)))
write("npy", "f4-v2.npy", npy(small, version=(2, 0)))
write("npy", "f4-v3.npy", npy(small, version=(3, 0)))
write("npy", "scalar.npy", npy(np.array(2.5, dtype=np.float64)))
write("npy", "empty.npy", npy(np.zeros((0, 3), dtype=np.uint8)))
write("npy", "bad-fortran.npy", npy(np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))))
write("npy", "bad-bigendian.npy", npy(np.arange(3, dtype=">f4")))
write("npy", "bad-truncated.npy", npy(small)[:-5])
write_dict("npy", [b"\x93NUMPY", b"'descr':", b"'fortran_order':", b"'shape':", b"'|u1'", b"'<u1'", b"'<i8'",
                   b"'<f4'", b"'<f8'", b"'>f4'", b"True", b"False", b"(1,)", b"()", b"9223372036854775807", b"}"])

# --- npz: dSprites' three arrays, stored and deflated, and a zip64 archive ---------------------
dsprites = {
    "imgs": (rng.random((3, 4, 4)) > 0.5).astype(np.uint8),
    "latents_classes": rng.integers(0, 5, size=(3, 6)).astype(np.int64),
    "latents_values": rng.random((3, 6)),
}

def npz(arrays, compression, force_zip64=False):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, array in arrays.items():
            # Fixed date_time: the same bytes on every run.
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            with archive.open(info, "w", force_zip64=force_zip64) as member:
                member.write(npy(array))
    return out.getvalue()

write("npz", "stored.npz", npz(dsprites, zipfile.ZIP_STORED))
write("npz", "deflated.npz", npz(dsprites, zipfile.ZIP_DEFLATED))
write("npz", "zip64.npz", npz(dsprites, zipfile.ZIP_STORED, force_zip64=True))
write("npz", "bad-missing-member.npz", npz({"imgs": dsprites["imgs"]}, zipfile.ZIP_DEFLATED))
write("npz", "bad-truncated.npz", npz(dsprites, zipfile.ZIP_DEFLATED)[:-40])
crc = bytearray(npz(dsprites, zipfile.ZIP_STORED))
crc[60] ^= 0xFF   # inside the first member's data: the CRC-32 no longer matches
write("npz", "bad-crc.npz", bytes(crc))
write_dict("npz", [b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07", b"\x01\x00",
                   b"\xff\xff\xff\xff", b"\xff\xff", b"imgs.npy", b"latents_classes.npy", b"latents_values.npy",
                   b"\x93NUMPY"])

# --- safetensors: every dtype the reader converts, metadata, a scalar, an empty tensor ----------
def safetensors(tensors, metadata=None, pad=True):
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    while pad and (8 + len(text)) % 8:
        text += b" "
    return struct.pack("<Q", len(text)) + text + data

every_dtype = {
    "f32": ("F32", (2, 3), small.tobytes()),
    "f64": ("F64", (2,), np.array([0.1, -0.2]).tobytes()),
    "f16": ("F16", (3,), np.array([1, -2, 65504], dtype=np.float16).tobytes()),
    "bf16": ("BF16", (2,), (np.array([1.5, -3.0], dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16).tobytes()),
    "i64": ("I64", (3,), np.array([-3, 9, 1 << 40], dtype=np.int64).tobytes()),
    "i32": ("I32", (2,), np.array([-7, 7], dtype=np.int32).tobytes()),
    "u8": ("U8", (2, 2), bytes([0, 1, 254, 255])),
    "i8": ("I8", (2,), bytes([0x80, 0x7F])),
    "bool": ("BOOL", (3,), bytes([0, 1, 1])),
    "scalar": ("F32", (), np.array(2.5, dtype=np.float32).tobytes()),
    "empty": ("F32", (0, 4), b""),
}
write("safetensors", "every-dtype.safetensors", safetensors(every_dtype, {"format": "pt", "made_by": "make_corpus.py"}))
# Like a betavae checkpoint: layer weights, Adam moments, the step and the RNG state.
checkpoint = {}
for layer, shape in [("encoder.0.weight", (4, 6)), ("encoder.0.bias", (4,)), ("decoder.0.weight", (6, 2)), ("decoder.0.bias", (6,))]:
    values = rng.standard_normal(shape).astype(np.float32).tobytes()
    for prefix in ["", "adam.m.", "adam.v."]:
        checkpoint[prefix + layer] = ("F32", shape, values)
checkpoint["adam.step"] = ("I64", (1,), np.array([12], dtype=np.int64).tobytes())
checkpoint["rng.state"] = ("U8", (32,), bytes(range(32)))
write("safetensors", "checkpoint.safetensors", safetensors(checkpoint, {"format": "pt", "epoch": "1"}))
write("safetensors", "unpadded.safetensors", safetensors({"x": every_dtype["f64"]}, pad=False))
write("safetensors", "no-tensors.safetensors", safetensors({}, {"format": "pt"}))
write("safetensors", "bad-unknown-dtype.safetensors", safetensors({"x": ("F8_E4M3", (2,), b"\x00\x01")}))
bad = safetensors({"a": every_dtype["f32"], "b": every_dtype["f64"]})
write("safetensors", "bad-trailing.safetensors", bad + b"\x00" * 4)
write("safetensors", "bad-truncated.safetensors", bad[:-3])
duplicate = b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}'
write("safetensors", "bad-duplicate.safetensors", struct.pack("<Q", len(duplicate)) + duplicate + b"\x00\x01")
write_dict("safetensors", [b'"__metadata__"', b'"dtype"', b'"shape"', b'"data_offsets"', b'"format"', b'"pt"']
           + [b'"%s"' % d.encode() for d in ["F32", "F64", "F16", "BF16", "I64", "I32", "I16", "U8", "I8", "BOOL", "U16", "U32", "U64", "F8_E4M3"]]
           + [b"1e15", b"-0", b"1.5", b"null", b"true", b"[]", b"{}", b"\\u0000", b"\\ud800"]
           # Sizes each below the reader's 1e15 bound whose products pass Int.max (issue 25: the
           # fuzzer had no token that could make a shape's product overflow).
           + [b"4294967296", b"3037000500", b"999999999999999", b"[4294967296,4294967296]"])

# --- checkpoint: the loaders that build a model from a checkpoint (Fuzz/Sources/Targets.swift) ---
if kept_bytes is not None:
    write("checkpoint", "checkpoint.safetensors", kept_bytes)
write("checkpoint", "bad-truncated.safetensors", bad[:-3])
write_dict("checkpoint", [b'"__metadata__"', b'"dtype"', b'"shape"', b'"data_offsets"', b'"F32"', b'"epoch"', b'"step"',
                          b'"rng_state"', b'"partial_batches_done"', b'"partial_sums"', b'"partial_rng_at_epoch_start"',
                          b'"encoder.0.weight"', b'"adam.exp_avg.', b'"adam.exp_avg_sq.', b"4294967296", b"3037000500",
                          b"999999999999999", b"[4294967296,4294967296]", b"-1", b"nan", b"1e308", b"18446744073709551615"])

# --- png: grey, grey+alpha, RGB, RGBA, palette, 16-bit, interlaced; then broken ones ------------
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

def png(width, height, colour, depth, pixels, palette=None, interlace=False, extra=()):
    """pixels: rows of bytes (already packed for the depth). Filters cycle through 0..4 per row."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    bpp = max(1, channels * depth // 8)

    def filtered(rows):
        out, previous = b"", None
        for i, row in enumerate(rows):
            kind = i % 5
            prior = previous or bytes(len(row))
            line = bytearray()
            for x, value in enumerate(row):
                a = row[x - bpp] if x >= bpp else 0
                b = prior[x]
                c = prior[x - bpp] if x >= bpp else 0
                if kind == 0: predictor = 0
                elif kind == 1: predictor = a
                elif kind == 2: predictor = b
                elif kind == 3: predictor = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line.append((value - predictor) & 0xFF)
            out += bytes([kind]) + bytes(line)
            previous = row
        return out

    if not interlace:
        raw = filtered(pixels)
    else:
        assert depth >= 8
        raw = b""
        for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
            rows = [b"".join(pixels[y][x * bpp:(x + 1) * bpp] for x in range(x0, width, dx)) for y in range(y0, height, dy)]
            rows = [r for r in rows if r]
            raw += filtered(rows)
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 1 if interlace else 0))
    if palette is not None:
        body += chunk(b"PLTE", bytes(palette))
    for kind, data in extra:
        body += chunk(kind, data)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")

def image(width, height, channels):
    return [bytes(rng.integers(0, 256, size=width * channels, dtype=np.uint8)) for _ in range(height)]

write("png", "grey.png", png(5, 4, 0, 8, image(5, 4, 1)))
write("png", "grey-alpha.png", png(4, 4, 4, 8, image(4, 4, 2)))
write("png", "rgb.png", png(6, 4, 2, 8, image(6, 4, 3), extra=[(b"tEXt", b"Comment\x00seed")]))
write("png", "rgba.png", png(3, 5, 6, 8, image(3, 5, 4)))
write("png", "palette.png", png(4, 3, 3, 8, [bytes(r % 3 for r in row) for row in image(4, 3, 1)],
                                palette=[255, 0, 0, 0, 255, 0, 0, 0, 255], extra=[(b"sRGB", b"\x00")]))
write("png", "palette-2bit.png", png(7, 2, 3, 2, [bytes([0b00011011, 0b11100100]) for _ in range(2)],
                                     palette=[0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255]))
write("png", "grey-1bit.png", png(9, 3, 0, 1, [bytes([0b10101010, 0b10000000]) for _ in range(3)]))
write("png", "rgb-16bit.png", png(3, 3, 2, 16, image(3, 3, 6)))
write("png", "rgb-interlaced.png", png(9, 9, 2, 8, image(9, 9, 3), interlace=True))
good = png(6, 4, 2, 8, image(6, 4, 3))
write("png", "bad-truncated.png", good[:-20])
broken_crc = bytearray(good)
broken_crc[29] ^= 0x01   # the IHDR CRC
write("png", "bad-crc.png", bytes(broken_crc))
write("png", "bad-no-iend.png", good[:-12])
write("png", "bad-short-idat.png", png(6, 4, 2, 8, image(3, 4, 3)))   # inflates to half the rows' bytes
write("png", "bad-palette-missing.png", png(2, 2, 3, 8, [bytes([0, 0])] * 2))
write_dict("png", [b"\x89PNG\r\n\x1a\n", b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"tEXt", b"zTXt", b"iTXt",
                   b"gAMA", b"sRGB", b"iCCP", b"pHYs", b"bKGD", b"sBIT", b"acTL", b"fcTL", b"\x78\x9c", b"\x78\xda",
                   b"\x00\x00\x00\x00", b"\x00\x00\x00\x0d", b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff"])

# --- config: config.json as `betavae train` writes it (copied from a real run), and variants ---
def pretty(value):
    """JSONEncoder's .prettyPrinted + .sortedKeys style."""
    return json.dumps(value, indent=2, sort_keys=True, separators=(",", " : ")) + "\n"

config = {
    "batchSize": 8, "binarize": "none", "channels": 3, "classNames": [str(i) for i in range(10)],
    "dataset": "idx:data", "datasetSource": "data (t10k only, seeded 80/20 split)", "epochs": 2,
    "learningRate": 0.001,
    "model": {"architecture": "mlp", "conditionClasses": 0, "hidden": [8], "imageShape": [1, 8, 8], "latent": 10,
              "likelihood": "bernoulli"},
    "name": "run", "objective": {"beta": 1, "kind": "beta"}, "seed": 0, "snapshotEvery": 5, "testCount": 8,
    "threads": 2, "toolVersion": "0.1.0", "trainCount": 32,
}
write("config", "mlp-beta.json", pretty(config))
variant = dict(config, dataset="sprites", channels=1, clipNorm=5.0, limit=100, testLimit=20, binarize="dynamic",
               model=dict(config["model"], architecture="burgess", imageShape=[1, 64, 64], hidden=[], latent=6),
               objective={"kind": "capacity", "gamma": 1000, "start": 0, "max": 25, "steps": 100000})
write("config", "burgess-capacity.json", pretty(variant))
variant = dict(config, dataset="fashion-mnist", dataDirectory="/usr/share/data",
               model=dict(config["model"], architecture="conv28", imageShape=[1, 28, 28], conditionClasses=10,
                          likelihood="gaussian"),
               objective={"kind": "deterministic"})
write("config", "conv28-cvae-autoencoder.json", json.dumps(variant, separators=(",", ":")))
write("config", "bad-missing-key.json", pretty({k: v for k, v in config.items() if k != "model"}))
write("config", "bad-objective.json", pretty(dict(config, objective={"kind": "gamma", "beta": 1})))
write("config", "bad-negative-latent.json", pretty(dict(config, model=dict(config["model"], latent=-3))))
write("config", "bad-huge-shape.json", pretty(dict(config, model=dict(config["model"], imageShape=[3, 4294967296, 4294967296]))))
write("config", "bad-epochs.json", pretty(dict(config, epochs=0)))

def keys(value):
    if isinstance(value, dict):
        return [k for k in value] + [k2 for v in value.values() for k2 in keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in keys(v)]
    return []

json_tokens = [b"{", b"}", b"[", b"]", b":", b",", b"null", b"true", b"false", b"-0", b"1e400", b"-1e400", b"1.5e-7",
               b"9223372036854775807", b"9223372036854775808", b"18446744073709551616", b'"\\u0000"', b'"\\ud800"']
config_values = [b'"%s"' % v.encode() for v in ["mlp", "conv28", "burgess", "bernoulli", "gaussian", "beta", "capacity",
                                                 "deterministic", "none", "fixed", "dynamic", "sprites", "fashion-mnist"]]
write_dict("config", [b'"%s"' % k.encode() for k in keys(config) + ["clipNorm", "limit", "testLimit", "dataDirectory",
                                                                     "kind", "beta", "gamma", "start", "max", "steps"]]
           + config_values + json_tokens)

# --- metrics: metrics.csv as `betavae train` writes it (copied from a real run) -----------------
metrics = """epoch,split,loss,recon,kl,nelbo,beta,capacity,seconds,kl_0,kl_1,kl_2,kl_3,kl_4,kl_5,kl_6,kl_7,kl_8,kl_9
0,train,45.208518,44.763131,0.445387,45.208518,1.000000,0.000000,0.000000,0.099269,0.056479,0.017902,0.089545,0.025349,0.074771,0.024006,0.005056,0.040971,0.012040
0,test,45.435261,45.002062,0.433198,45.435261,1.000000,0.000000,0.002709,0.087479,0.055000,0.019002,0.092203,0.028804,0.076165,0.022572,0.002499,0.041060,0.008415
1,train,45.371793,44.956191,0.415602,45.371793,1.000000,0.000000,0.000539,0.082304,0.058315,0.015695,0.086463,0.027952,0.066355,0.027070,0.005675,0.038274,0.007500
1,test,45.269874,44.901796,0.368079,45.269874,1.000000,0.000000,0.000047,0.053206,0.061500,0.012015,0.084139,0.035368,0.051092,0.031193,0.004302,0.032986,0.002275
2,train,45.070759,44.705911,0.364848,45.070759,1.000000,0.000000,0.000277,0.055996,0.061501,0.011550,0.080258,0.030905,0.047895,0.034929,0.007128,0.031005,0.003681
2,test,45.575011,45.238560,0.336451,45.575011,1.000000,0.000000,0.000045,0.037955,0.064218,0.009505,0.077349,0.037315,0.035536,0.038420,0.006292,0.025649,0.004212
"""
write("metrics", "beta-latent10.csv", metrics)
header, *rows = metrics.splitlines()
short = ["epoch,split,loss,recon,kl,nelbo,beta,capacity,seconds,kl_0,kl_1"] + [",".join(r.split(",")[:11]) for r in rows[:4]]
write("metrics", "latent2.csv", "\n".join(short) + "\n")
write("metrics", "capacity.csv", "epoch,split,loss,recon,kl,nelbo,beta,capacity,seconds,kl_0\n"
      "0,train,80.5,70.25,10.25,80.5,1000.000000,0.000000,0.1,10.25\n"
      "0,test,81.5,71.25,10.25,81.5,1000.000000,0.000250,0.01,10.25\n")
write("metrics", "header-only.csv", header + "\n")
write("metrics", "bad-nan.csv", header + "\n" + rows[0].replace("45.208518", "nan", 1) + "\n")
write("metrics", "bad-short-row.csv", header + "\n" + rows[0].rsplit(",", 2)[0] + "\n")
write("metrics", "bad-split.csv", header + "\n" + rows[0].replace("train", "valid") + "\n")
write("metrics", "bad-header.csv", header.replace("kl_3", "kl_x") + "\n" + rows[0] + "\n")
write_dict("metrics", [b"epoch,split,loss,recon,kl,nelbo,beta,capacity,seconds", b",kl_0", b",kl_1", b",kl_9", b",kl_10",
                       b"train", b"test", b"nan", b"inf", b"-inf", b"1e308", b"1e309", b"-0", b"0x1p3", b"\r\n", b"\n",
                       b",,", b"99999999999999999999", b"-1", b"100000", b"100001"])

# --- evaluation: evaluation.json as `betavae evaluate` writes it (copied from a real run) -------
evaluation = {
    "disentanglement": {
        "factorNames": ["label"], "gaussianTotalCorrelation": 40.19415593247536,
        "mutualInformation": [[1.9061547465398496], [1.7328679513998633], [1.559581156259877], [1.7328679513998633],
                              [1.7328679513998633], [1.9061547465398496], [1.9061547465398496], [1.7328679513998633],
                              [1.7328679513998633], [1.559581156259877]],
        "seconds": {},
    },
    "key": {"binarization": "none", "epoch": 2, "iwaeSamples": 5, "seed": 0, "step": 8, "testImages": 8,
            "toolVersion": "0.1.0"},
    "knnAccuracy": 0, "knnChance": 0.25, "objective": 45.470545932650566,
    "seconds": {"disentanglement": 0.0018036365509033203, "encode_test": 3.457069396972656e-05,
                "encode_train": 5.257129669189453e-05, "iwae": 0.0002835988998413086, "knn": 0.0001595020294189453},
    "test": {"images": 8, "iwaeNLL": 44.99919229257778, "iwaeStandardError": 0.28309079578439506,
             "kl": 0.3364512175321579, "nelbo": 45.470545932650566, "recon": 45.13409471511841, "samples": 5},
    "usage": {
        "activeUnits": [],
        "klPerDimension": [0.03795469645410776, 0.06421804707497358, 0.009505480527877808, 0.07734942715615034,
                           0.03731469623744488, 0.03553576394915581, 0.038419753313064575, 0.006292353849858046,
                           0.02564939856529236, 0.00421160040423274],
        "meanVariance": [0.0015184070166665564, 0.0019968976077110318, 0.0016454343279219017, 0.001959140005591109,
                         0.0007689704774274664, 0.0019654627838730926, 0.0019917894327247526, 0.00044734220380679424,
                         0.0005362043468261218, 0.004175932146904046],
    },
}
write("evaluation", "label-factor.json", pretty(evaluation))
scored = json.loads(json.dumps(evaluation))
scored["usage"]["activeUnits"] = [1, 3, 4]
scored["disentanglement"].update(betaVAE=0.82, factorVAE=0.71, mig=0.12,
                                 factorNames=["shape", "scale", "orientation", "x", "y"],
                                 mutualInformation=[[round(0.1 * (j + f), 3) for f in range(5)] for j in range(10)],
                                 seconds={"betavae": 0.5, "factorvae": 0.25, "mig": 0.125})
write("evaluation", "dsprites-scores.json", json.dumps(scored, separators=(",", ":")))
plain = {k: v for k, v in evaluation.items() if k not in ("disentanglement", "knnAccuracy", "knnChance")}
write("evaluation", "no-optional.json", pretty(plain))
wrong = json.loads(json.dumps(evaluation))
wrong["usage"]["klPerDimension"] = wrong["usage"]["klPerDimension"][:4]
write("evaluation", "bad-latent-count.json", pretty(wrong))
wrong = json.loads(json.dumps(evaluation))
wrong["usage"]["activeUnits"] = [10]
write("evaluation", "bad-unit-index.json", pretty(wrong))
wrong = json.loads(json.dumps(evaluation))
wrong["disentanglement"]["mutualInformation"][3] = [1.0, 2.0]
write("evaluation", "bad-mi-row.json", pretty(wrong))
write("evaluation", "bad-not-json.json", pretty(evaluation)[:200])
write_dict("evaluation", [b'"%s"' % k.encode() for k in keys(scored)] + [b'"%s"' % k.encode() for k in ["betaVAE", "factorVAE", "mig"]]
           + json_tokens)

# --- traininglog: YannDubs/disentangling-vae's train_losses.log (disvae/training.py's LossesLogger), Z = 10 ---
def yanndubs_log(epochs, latent=10, drop=None, value=None):
    lines = ["Epoch,Loss,Value"]
    for e in epochs:
        kl = [float(v) for v in rng.uniform(0, 2, latent).round(6)]
        terms = [("loss", 300.0 - 10 * e + 4 * sum(kl)), ("recon_loss", 300.0 - 10 * e), ("kl_loss", sum(kl))]
        terms += [("kl_loss_%d" % j, kl[j]) for j in range(latent)]
        lines += ["%d,%s,%s" % (e, k, value if (value and k == "kl_loss_3") else repr(v)) for k, v in terms if k != drop]
    return "\n".join(lines) + "\n"
write("traininglog", "yanndubs-3-epochs.log", yanndubs_log(range(3)))
write("traininglog", "betavae-metrics.csv", metrics)
write("traininglog", "bad-missing-epoch.log", yanndubs_log([0, 2]))
write("traininglog", "bad-missing-term.log", yanndubs_log(range(2), drop="kl_loss_9"))
write("traininglog", "bad-nan.log", yanndubs_log(range(2), value="nan"))
write("traininglog", "bad-header.log", "epoch,loss\n0,1.0\n")
write_dict("traininglog", [b'"%s"' % k.encode() for k in ["Epoch,Loss,Value", "loss", "recon_loss", "kl_loss", "kl_loss_", "mi_loss",
                                                          "tc_loss", "dw_kl_loss", ",", "nan", "inf", "-1", "1e308"]])
# --- nyu: SmallNORB's NYU binary matrices (byte `dat`, int32 `cat` and `info`) ----------------
def nyu(magic, dims, payload):
    return struct.pack("<ii", magic, len(dims)) + struct.pack("<%di" % max(3, len(dims)), *(list(dims) + [1] * (3 - len(dims)))) + payload

write("nyu", "dat.mat", nyu(0x1E3D4C55, [2, 2, 8, 8], bytes(range(256))))
write("nyu", "cat.mat", nyu(0x1E3D4C54, [4], struct.pack("<4i", 0, 1, 4, 2)))
write("nyu", "info.mat", nyu(0x1E3D4C54, [3, 4], struct.pack("<12i", 4, 8, 34, 5, 0, 0, 0, 0, 9, 3, 10, 2)))
write("nyu", "bad-magic.mat", nyu(0x1E3D4C51, [4], bytes(16)))
write("nyu", "bad-truncated.mat", nyu(0x1E3D4C54, [3, 4], bytes(20)))
write_dict("nyu", [b'"\x55\x4c\x3d\x1e"', b'"\x54\x4c\x3d\x1e"', b'"\x60\x00\x00\x00"', b'"\x02\x00\x00\x00"'])

# --- mpi3d: an .npz whose `images` member is read in place (numpy.savez, stored) ---------------
mpi = {"images": rng.integers(0, 256, (3, 4, 4, 3), dtype=np.uint8)}
write("mpi3d", "stored.npz", npz(mpi, zipfile.ZIP_STORED))
write("mpi3d", "zip64.npz", npz(mpi, zipfile.ZIP_STORED, force_zip64=True))
write("mpi3d", "bad-deflated.npz", npz(mpi, zipfile.ZIP_DEFLATED))
write("mpi3d", "bad-truncated.npz", npz(mpi, zipfile.ZIP_STORED)[:-30])
write_dict("mpi3d", [b'"PK\x03\x04"', b'"PK\x01\x02"', b'"PK\x05\x06"', b'"PK\x06\x06"', b'"PK\x06\x07"', b'"images.npy"',
                     b'"\x93NUMPY"', b"\"'shape': (\"", b'"|u1"'])

# --- hdf5: Shapes3D-like files through h5py (no timestamps, so the bytes are the same each run) --
try:
    import h5py

    def hdf5(chunked, labels=True, images_shape=(2, 4, 4, 3)):
        buffer = io.BytesIO()
        with h5py.File(buffer, "w", track_order=False) as f:
            f.create_dataset("images", data=rng.integers(0, 256, images_shape, dtype=np.uint8), track_times=False,
                             chunks=(1,) + images_shape[1:] if chunked else None)
            if labels:
                f.create_dataset("labels", data=np.linspace(0, 1, images_shape[0] * 6).reshape(images_shape[0], 6), track_times=False)
        return buffer.getvalue()

    write("hdf5", "contiguous.h5", hdf5(False))
    write("hdf5", "chunked.h5", hdf5(True))
    write("hdf5", "bad-no-labels.h5", hdf5(False, labels=False))
    write("hdf5", "bad-truncated.h5", hdf5(False)[:-200])
    write_dict("hdf5", [b'"\x89HDF\r\n\x1a\n"', b'"images"', b'"labels"', b'"OHDR"', b'"TREE"', b'"HEAP"', b'"SNOD"'])
except ImportError:
    print("note: h5py is not installed; the hdf5 seeds were not written")


# --- mat: MATLAB v5 files with a uint8 `im`, written by hand (scipy's header holds a date) ------
def mat(name, array, truncate=0):
    def element(kind, payload):
        data = struct.pack("<II", kind, len(payload)) + payload
        return data + bytes(-len(data) % 8)
    dims = array.shape
    body = (element(6, struct.pack("<II", 9, 0))                      # array flags: mxUINT8_CLASS
            + element(5, struct.pack("<%di" % len(dims), *dims))      # dimensions
            + element(1, name.encode())                               # array name
            + element(2, array.tobytes(order="F")))                   # data, column-major
    header = b"MATLAB 5.0 MAT-file, written by make_corpus.py".ljust(116) + bytes(8) + struct.pack("<H", 0x0100) + b"IM"
    data = header + struct.pack("<II", 14, len(body)) + body
    return data[:len(data) - truncate]

car = rng.integers(0, 256, (2, 2, 3, 24, 4), dtype=np.uint8)
write("mat", "im.mat", mat("im", car))
write("mat", "bad-no-im.mat", mat("mesh", car))
write("mat", "bad-truncated.mat", mat("im", car, truncate=100))
write("mat", "other-shape.mat", mat("im", car[:, :, :, :, :3]))
write_dict("mat", [b'"MATLAB 5.0 MAT-file"', b'"IM"', b'"\x0e\x00\x00\x00"', b'"\x0f\x00\x00\x00"', b'"im"'])

for target in sorted(os.listdir(CORPUS)):
    files = sorted(os.listdir(os.path.join(CORPUS, target)))
    print("%-12s %2d files, largest %5d bytes" % (target, len(files), max(os.path.getsize(os.path.join(CORPUS, target, f)) for f in files)))
