#!/usr/bin/env python3
"""Load sender for scripts/bench-syslog: TCP (octet-counted), UDP or RELP syslog lines to a
loopback receiver, bounded by count. Prints one JSON line: what was sent and how long it took.

usage: bench-syslog-send.py tcp|udp|relp PORT COUNT CONNECTIONS
"""
import json
import socket
import sys
import threading
import time

LINE = "<189>52: core-sw-{c:02d}: *Mar  1 18:46:11.123 UTC: %LINK-3-UPDOWN: Interface Gi0/{i}, changed state to down"


def lines(conn, n):
    return [LINE.format(c=conn, i=i).encode() for i in range(n)]


def tcp(port, n, conn, out):
    buf = b"".join(b"%d %s" % (len(l), l) for l in lines(conn, n))
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(buf)
    s.close()
    out[conn] = n


def udp(port, n, conn, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dest = ("127.0.0.1", port)
    sent = 0
    for l in lines(conn, n):
        try:
            s.sendto(l, dest)
            sent += 1
        except BlockingIOError:
            pass
    out[conn] = sent


def read_rsp(f):
    """One RELP frame `TXNR rsp LEN [DATA]LF`; returns DATA."""
    head = b""
    # TXNR SP COMMAND SP DATALEN, ended by the SP before the data or by the trailer.
    while head.count(b" ") < 3 and not (head.count(b" ") == 2 and head.endswith(b"\n")):
        c = f.read(1)
        if not c:
            raise SystemExit("RELP connection closed")
        head += c
    txnr, cmd, length = head.split()[:3]
    if head.endswith(b"\n"):
        return b""
    if cmd != b"rsp":
        raise SystemExit("unexpected RELP command %r" % cmd)
    n = int(length)
    data = f.read(n)
    f.read(1)  # trailer LF
    return data


def relp(port, n, conn, out):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    offers = b"relp_version=0\nrelp_software=bench\ncommands=syslog"
    s.sendall(b"1 open %d %s\n" % (len(offers), offers))
    f = s.makefile("rb")
    read_rsp(f)  # the open answer and its offers
    window = 128
    txnr = 1
    acked = 0
    msgs = lines(conn, n)
    pos = 0
    while acked < n:
        chunk = []
        while pos < n and len(chunk) < window:
            txnr += 1
            m = msgs[pos]
            chunk.append(b"%d syslog %d %s\n" % (txnr, len(m), m))
            pos += 1
        s.sendall(b"".join(chunk))
        for _ in chunk:
            if not read_rsp(f).startswith(b"200"):
                raise SystemExit("RELP message refused")
            acked += 1
    txnr += 1
    s.sendall(b"%d close 0\n" % txnr)
    out[conn] = acked


def main():
    mode, port, count, conns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    fn = {"tcp": tcp, "udp": udp, "relp": relp}[mode]
    per = count // conns
    out = [0] * conns
    start = time.monotonic()
    threads = [threading.Thread(target=fn, args=(port, per, c, out)) for c in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"mode": mode, "sent": sum(out), "seconds": time.monotonic() - start}))


if __name__ == "__main__":
    main()
