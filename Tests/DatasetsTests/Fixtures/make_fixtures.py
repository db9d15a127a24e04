"""Makes the Datasets test fixtures with numpy (run from this folder: python3 make_fixtures.py).
- v1.npy, v2.npy, v3.npy: the same float32 [2, 3] array in .npy versions 1.0, 2.0 and 3.0
- int64.npy, uint8.npy, float64.npy: one array per supported dtype
- fortran.npy (Fortran order) and bigendian.npy ('>f4'): both must be refused
- stored.npz (numpy.savez) and deflated.npz (numpy.savez_compressed) with members a and b
- tiny.png: a 6x4 RGB PNG (left half red, right half blue), written with zlib; notpng.png: text
"""
import struct, zlib
import numpy as np
from numpy.lib import format as npformat

a = np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.0]], dtype=np.float32)
for version in [(1, 0), (2, 0), (3, 0)]:
    with open("v%d.npy" % version[0], "wb") as f:
        npformat.write_array(f, a, version=version)
np.save("int64.npy", np.array([-5, 0, 1 << 40], dtype=np.int64))
np.save("uint8.npy", np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
np.save("float64.npy", np.array([0.25, -1e10], dtype=np.float64))
np.save("fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save("bigendian.npy", np.arange(3, dtype=">f4"))
b = np.arange(10, dtype=np.int64)
np.savez("stored.npz", a=a, b=b)
np.savez_compressed("deflated.npz", a=a, b=b)

def png(path, width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

png("tiny.png", 6, 4, [[255, 0, 0] * 3 + [0, 0, 255] * 3 for _ in range(4)])
with open("notpng.png", "w") as f:
    f.write("this is not a PNG\n")
