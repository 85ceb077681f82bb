"""numpy_tool: real numpy/OpenCV on the other side of camwire's seed codecs (tests only).

  fixtures DIR    write what the old programs put on the wire, one file per case
  load FILE...    pickle.loads each FILE as the old receivers do and print what came out as JSON
                  (run only on bytes camwire wrote: the point is that real numpy accepts them)
"""
import hashlib
import json
import os
import pickle
import sys

import cv2
import numpy as np


def picture(w, h, seed=1):
    """A deterministic BGR picture with structure (gradients) so JPEG sizes are realistic."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = (x * 255 // max(1, w - 1)).astype(np.uint8)  # B ramps left to right
    img[..., 1] = (y * 255 // max(1, h - 1)).astype(np.uint8)  # G ramps top to bottom
    img[..., 2] = 60
    img[: h // 4, : w // 4] = rng.integers(0, 256, (h // 4, w // 4, 3), dtype=np.uint8)
    return img


class Evil:
    """What an attacker sends: unpickling it calls os.system."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/camwire-pwned",))


def fixtures(out):
    os.makedirs(out, exist_ok=True)

    def put(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    img = picture(64, 48)
    ok, jpg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    put("img.bgr", img.tobytes())
    put("img.jpg", jpg.tobytes())
    put("jpeg-p0.pkl", pickle.dumps(jpg, 0))  # 002/003 as sent today (shape (N,))
    put("jpeg-p0-n1.pkl", pickle.dumps(jpg.reshape(-1, 1), 0))  # older OpenCV: shape (N, 1)
    put("jpeg-p4.pkl", pickle.dumps(jpg, 4))
    put("bgr-p4.pkl", pickle.dumps(img, 4))  # 004 from Python 3.8+
    put("bgr-p3.pkl", pickle.dumps(img, 3))  # 004 from Python 3.0-3.7
    big = picture(320, 240, 2)
    put("big.bgr", big.tobytes())
    put("big-p4.pkl", pickle.dumps(big, 4))  # data > 64 KiB: BINBYTES outside the frames
    put("bgr-fortran-p4.pkl", pickle.dumps(np.asfortranarray(img), 4))
    put("bgr-float-p4.pkl", pickle.dumps(img.astype(np.float32), 4))
    put("bgr-gray-p4.pkl", pickle.dumps(img[..., 0].copy(), 4))
    put("evil-p0.pkl", pickle.dumps(Evil(), 0))
    put("evil-p4.pkl", pickle.dumps(Evil(), 4))
    put("list-p4.pkl", pickle.dumps([1, 2, 3], 4))
    put("dict-p0.pkl", pickle.dumps({"a": jpg}, 0))
    print(json.dumps({"numpy": np.__version__, "cv2": cv2.__version__}))


def load(*paths):
    for path in paths:
        load_one(path)


def load_one(path):
    with open(path, "rb") as f:
        a = pickle.loads(f.read())
    info = {
        "type": type(a).__name__,
        "dtype": str(a.dtype),
        "shape": list(a.shape),
        "c_contiguous": bool(a.flags["C_CONTIGUOUS"]),
        "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
    }
    if a.ndim <= 2:  # a JPEG held as bytes: decode it like the old viewers
        pic = cv2.imdecode(a, cv2.IMREAD_COLOR)
        info["decoded"] = None if pic is None else list(pic.shape)
    print(json.dumps(info))


if __name__ == "__main__":
    {"fixtures": fixtures, "load": load}[sys.argv[1]](*sys.argv[2:])
