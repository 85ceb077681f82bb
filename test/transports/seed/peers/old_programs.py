"""old_programs: what each of the five Python webcam programs does on the wire, for tests.

Each role uses the same calls as the original (socket, struct, pickle.dumps / pickle.loads,
cv2.imencode / cv2.imdecode); the camera is replaced by a synthetic picture whose colour encodes
the frame number, and the cv2 window by one JSON line per frame on stdout. Loopback only.

  len-jpeg-camera PORT N          000 camera side: listen, send N length-prefixed JPEGs
  len-jpeg-viewer PORT N          000 viewer side: connect, receive N frames, imdecode them
  pickle-jpeg-viewer PORT N       002/003 server: listen, pickle.loads N frames, imdecode them
  pickle-jpeg-camera PORT N       002/003 client: connect, send N pickled JPEG arrays
  pickle-bgr-camera PORT N W H    004 server: listen, send N pickled raw BGR frames
  pickle-bgr-viewer PORT N        004 client: connect, pickle.loads N frames
  countdown-sender PORT N         001 server: Hello, wait 0.5 s for acks, N frames in 65408-byte slices
  countdown-receiver PORT N       001 client: first datagram = Hello (answer ack), reassemble N frames
"""
import json
import pickle
import socket
import struct
import sys
import time

import cv2
import numpy as np

HOST = "127.0.0.1"


def say(**kw):
    print(json.dumps(kw), flush=True)


def picture(k, w=320, h=240):
    """Frame k: a flat B,G,R colour that encodes k, with a white bar so the JPEG has edges."""
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = (200, (k * 37) % 256, 30)
    img[h // 3 : h // 3 + 8, :] = 255
    return img


def describe(img, k=None):
    b, g, r = (int(round(float(x))) for x in img[: img.shape[0] // 4].reshape(-1, 3).mean(axis=0))
    return dict(w=int(img.shape[1]), h=int(img.shape[0]), b=b, g=g, r=r)


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(min(4096 * 16, n - len(data)))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def listen_one(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen(10)
    say(event="listening", port=s.getsockname()[1])
    conn, _ = s.accept()
    return s, conn


def connect(port):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    deadline = time.time() + 20
    while True:
        try:
            c.connect((HOST, port))
            return c
        except ConnectionRefusedError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def len_jpeg_camera(port, n):
    s, conn = listen_one(int(port))
    for k in range(int(n)):
        _, jpg = cv2.imencode(".jpg", picture(k), [cv2.IMWRITE_JPEG_QUALITY, 90])
        data = jpg.tobytes()
        conn.sendall(struct.pack(">L", len(data)) + data)
        time.sleep(1 / 30)
    say(event="sent", frames=int(n))
    conn.close()


def len_jpeg_viewer(port, n):
    c = connect(int(port))
    for _ in range(int(n)):
        size = struct.unpack(">L", recv_exact(c, 4))[0]
        img = cv2.imdecode(np.frombuffer(recv_exact(c, size), np.uint8), cv2.IMREAD_COLOR)
        say(event="frame", **describe(img))


def pickle_jpeg_viewer(port, n):
    s, conn = listen_one(int(port))
    payload = struct.calcsize(">L")
    data = b""
    for _ in range(int(n)):
        while len(data) < payload:
            data += conn.recv(4096)
        size = struct.unpack(">L", data[:payload])[0]
        data = data[payload:]
        while len(data) < size:
            data += conn.recv(4096)
        frame = pickle.loads(data[:size], fix_imports=True, encoding="bytes")  # what 002/003 do
        data = data[size:]
        img = cv2.imdecode(frame, cv2.IMREAD_COLOR)
        say(event="frame", shape=list(frame.shape), **describe(img))


def pickle_jpeg_camera(port, n):
    c = connect(int(port))
    for k in range(int(n)):
        _, frame = cv2.imencode(".jpg", picture(k), [int(cv2.IMWRITE_JPEG_QUALITY), 90])
        data = pickle.dumps(frame, 0)
        c.sendall(struct.pack(">L", len(data)) + data)
        time.sleep(1 / 30)
    say(event="sent", frames=int(n))
    c.close()


def pickle_bgr_camera(port, n, w, h):
    s, conn = listen_one(int(port))
    for k in range(int(n)):
        data = pickle.dumps(picture(k, int(w), int(h)))
        conn.sendall(struct.pack("Q", len(data)) + data)
        time.sleep(1 / 30)
    say(event="sent", frames=int(n))
    conn.close()


def pickle_bgr_viewer(port, n):
    c = connect(int(port))
    payload = struct.calcsize("Q")
    data = b""
    for _ in range(int(n)):
        while len(data) < payload:
            data += c.recv(4 * 1024)
        size = struct.unpack("Q", data[:payload])[0]
        data = data[payload:]
        while len(data) < size:
            data += c.recv(4 * 1024)
        frame = pickle.loads(data[:size])  # what 004's client does
        data = data[size:]
        say(event="frame", dtype=str(frame.dtype), c_contiguous=bool(frame.flags["C_CONTIGUOUS"]), **describe(frame))


def countdown_sender(port, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    s.sendto(b"Hello", (HOST, int(port)))
    try:
        while True:
            s.recvfrom(16)  # acks, ignored
    except socket.timeout:
        pass
    seg = 65408
    for k in range(int(n)):
        _, jpg = cv2.imencode(".jpg", picture(k, 600, 400), [cv2.IMWRITE_JPEG_QUALITY, 95])
        data = jpg.tobytes()
        count = -(-len(data) // seg)
        start = 0
        while count:
            end = min(len(data), start + seg)
            s.sendto(struct.pack("B", count) + data[start:end], (HOST, int(port)))
            start = end
            count -= 1
        time.sleep(1 / 30)
    say(event="sent", frames=int(n))


def countdown_receiver(port, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((HOST, int(port)))
    say(event="listening", port=s.getsockname()[1])
    hello, addr = s.recvfrom(65536)
    say(event="hello", data=hello.decode("latin1"))
    s.sendto(b"ack", addr)
    got = 0
    dat = b""
    s.settimeout(1.0)
    while got < int(n):
        seg, _ = s.recvfrom(2 ** 16)
        if struct.unpack("B", seg[0:1])[0] > 1:
            dat += seg[1:]
        else:
            dat += seg[1:]
            img = cv2.imdecode(np.frombuffer(dat, dtype=np.uint8), 1)
            say(event="frame", **describe(img))
            dat = b""
            got += 1


if __name__ == "__main__":
    globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:])
