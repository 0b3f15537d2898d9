#!/usr/bin/python3
# A minimal client of the swsevd socket protocol (docs/protocol.md), written
# from the document alone, for the proof tests (crash_safety.sh, load.sh,
# security.sh): it lets a test issue one /dev/sev command without the CLI
# or the preload library, hold a connection half-sent, or send hostile
# frames. Python standard library only; a test driver, not a product.
#
#   wire_client.py SOCKET sev NAME        one SEV_ISSUE_CMD without data
#                                         (FACTORY_RESET, PEK_GEN, PDH_GEN);
#                                         exit 0 when err and fw_error are 0
#   wire_client.py SOCKET status          PLATFORM_STATUS; prints "state owner guests"
#   wire_client.py SOCKET stall SECONDS   HELLO, then half a REQUEST header, then sleeps
#   wire_client.py SOCKET vanish          HELLO, then half a REQUEST body, then closes
#   wire_client.py SOCKET garbage N       N random bytes instead of a frame
#   wire_client.py SOCKET oversized       a header announcing a body over the maximum
import os
import socket
import struct
import sys
import time

MAGIC = 0x56535753
T_HELLO, T_REQUEST, T_RESPONSE, T_ERROR = 1, 2, 3, 4
OP_SEV_IOCTL = 2
REQ_WRITABLE = 1
SEV_CMDS = {"FACTORY_RESET": 0, "PLATFORM_STATUS": 1, "PEK_GEN": 2, "PEK_CSR": 3,
            "PDH_GEN": 4, "PDH_CERT_EXPORT": 5, "PEK_CERT_IMPORT": 6, "GET_ID": 7, "GET_ID2": 8}
BODY_MAX = 16 * 1024 * 1024 + 1024 * 1024


class ProtocolError(Exception):
    pass


def header(ftype, body_len):
    return struct.pack("<IHHII", MAGIC, 1, ftype, 0, body_len)


def recv_exact(s, n):
    out = bytearray()
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise ProtocolError("connection closed after %d of %d bytes" % (len(out), n))
        out += chunk
    return bytes(out)


def recv_frame(s):
    magic, ver, ftype, flags, blen = struct.unpack("<IHHII", recv_exact(s, 16))
    if magic != MAGIC or ver != 1 or flags != 0 or blen > BODY_MAX:
        raise ProtocolError("bad frame header %#x/%d/%d/%#x/%d" % (magic, ver, ftype, flags, blen))
    return ftype, recv_exact(s, blen)


def connect(path, timeout=10.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    s.sendall(header(T_HELLO, 8) + struct.pack("<II", 1, 1))
    ftype, body = recv_frame(s)
    if ftype == T_ERROR:
        code, n = struct.unpack("<iI", body[:8])
        raise ProtocolError("HELLO refused: %d %s" % (code, body[8:8 + n].decode(errors="replace")))
    if ftype != T_HELLO or struct.unpack("<I", body[:4])[0] != 1:
        raise ProtocolError("unexpected HELLO reply")
    return s


def call(s, op, cmd=0, vm=0, flags=0, arg=b"", blobs=(None, None, None, None)):
    present = 0
    lens = []
    data = b""
    for i, b in enumerate(blobs):
        if b is not None:
            present |= 1 << i
            data += b
        lens.append(len(b) if b is not None else 0)
    body = struct.pack("<IIIIII", op, vm, cmd, flags, len(arg), present)
    body += struct.pack("<4I", *lens) + arg + data
    s.sendall(header(T_REQUEST, len(body)) + body)
    ftype, body = recv_frame(s)
    if ftype == T_ERROR:
        code, n = struct.unpack("<iI", body[:8])
        raise ProtocolError("ERROR frame %d: %s" % (code, body[8:8 + n].decode(errors="replace")))
    if ftype != T_RESPONSE:
        raise ProtocolError("unexpected frame type %d" % ftype)
    err, fw_error, arg_len, present = struct.unpack("<iIII", body[:16])
    lens = struct.unpack("<4I", body[16:32])
    rarg = body[32:32 + arg_len]
    off = 32 + arg_len
    out = []
    for i in range(4):
        if present & (1 << i):
            out.append(body[off:off + lens[i]])
            off += lens[i]
        else:
            out.append(None)
    return err, fw_error, rarg, out


def main():
    path, what = sys.argv[1], sys.argv[2]
    if what == "sev":
        s = connect(path)
        err, fw, _, _ = call(s, OP_SEV_IOCTL, cmd=SEV_CMDS[sys.argv[3]], flags=REQ_WRITABLE)
        if err or fw:
            print("%s: err %d, firmware status %#x" % (sys.argv[3], err, fw), file=sys.stderr)
            return 1
        return 0
    if what == "status":
        s = connect(path)
        err, fw, arg, _ = call(s, OP_SEV_IOCTL, cmd=SEV_CMDS["PLATFORM_STATUS"], arg=bytes(12))
        if err or fw or len(arg) != 12:
            return 1
        # struct sev_user_data_status (packed): api_major, api_minor, state,
        # u32 flags (bit 0: owner), build, u32 guest_count
        print(arg[2], struct.unpack("<I", arg[3:7])[0] & 1, struct.unpack("<I", arg[8:12])[0])
        return 0
    if what == "stall":
        s = connect(path)
        s.sendall(header(T_REQUEST, 52)[:9])
        time.sleep(float(sys.argv[3]))
        try:
            ftype, _ = recv_frame(s)
            return 0 if ftype == T_ERROR else 1
        except (ProtocolError, OSError):
            return 0  # dropped: what the daemon should do
    if what == "vanish":
        s = connect(path)
        body = struct.pack("<IIIIII", OP_SEV_IOCTL, 0, 1, 0, 12, 0) + bytes(16)
        s.sendall(header(T_REQUEST, len(body) + 12) + body[:20])
        s.close()
        return 0
    if what == "garbage":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(path)
        try:
            s.sendall(os.urandom(int(sys.argv[3])))
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096):
                pass
        except OSError:
            pass
        return 0
    if what == "oversized":
        s = connect(path)
        try:
            s.sendall(header(T_REQUEST, 0xFFFFFFF0))
            ftype, _ = recv_frame(s)
            return 0 if ftype == T_ERROR else 1
        except (ProtocolError, OSError):
            return 0
    print("unknown request " + what, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ProtocolError) as e:
        print("wire_client: %s" % e, file=sys.stderr)
        sys.exit(1)
