"""numpy2_tool: real numpy 2.x on the other side of camwire's pickle formats (tests only; numpy
alone, no OpenCV: Debian's python3-opencv is built against numpy 1.x).

  vectors JPEG DIR   write what numpy 2 pickles for the seed formats, one file per case (the
                     recorded vectors in numpy2/ were made this way, see README there)
  load FILE...       pickle.loads each FILE and print dtype/shape/order/sha256 as JSON lines
"""
import hashlib
import json
import os
import pickle
import sys

import numpy as np


def pixels(w, h):
    """The deterministic BGR picture the tests rebuild: value (7x + 13y + 50c) mod 256."""
    y, x, c = np.mgrid[0:h, 0:w, 0:3]
    return ((7 * x + 13 * y + 50 * c) % 256).astype(np.uint8)


def vectors(jpeg_path, out):
    assert int(np.__version__.split(".")[0]) >= 2, f"numpy 2.x needed, this is {np.__version__}"
    os.makedirs(out, exist_ok=True)

    def put(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    with open(jpeg_path, "rb") as f:
        jpg = np.frombuffer(f.read(), np.uint8).copy()  # what cv2.imencode returns: a 1-D uint8 array
    put("jpeg-p0.pkl", pickle.dumps(jpg, 0))  # 002/003 (shape (N,))
    put("jpeg-p0-n1.pkl", pickle.dumps(jpg.reshape(-1, 1), 0))  # older OpenCV: shape (N, 1)
    put("jpeg-p4.pkl", pickle.dumps(jpg, 4))
    put("bgr-p4.pkl", pickle.dumps(pixels(64, 48), 4))  # 004 from Python 3.8+
    put("bgr-p3.pkl", pickle.dumps(pixels(64, 48), 3))  # 004 from Python 3.0-3.7
    put("big-p4.pkl", pickle.dumps(pixels(200, 120), 4))  # data > 64 KiB: BINBYTES8 outside the frames
    print(json.dumps({"numpy": np.__version__, "python": sys.version.split()[0]}))


def load(*paths):
    for path in paths:
        with open(path, "rb") as f:
            a = pickle.loads(f.read())
        print(json.dumps({
            "numpy": np.__version__,
            "type": type(a).__name__,
            "dtype": str(a.dtype),
            "shape": list(a.shape),
            "c_contiguous": bool(a.flags["C_CONTIGUOUS"]),
            "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
        }))


if __name__ == "__main__":
    {"vectors": vectors, "load": load}[sys.argv[1]](*sys.argv[2:])
