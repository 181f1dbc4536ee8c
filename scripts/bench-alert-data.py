#!/usr/bin/env python3
"""Data for scripts/bench-alert: ~50 realistic rules (SQL) and N queued events (Redis protocol).

`rules` prints INSERT statements; `events N FILE` writes N LPUSH commands for $BENCH_QUEUE (default mutt:ingest_queue)
to FILE and prints how many of them the rules should match (about 60%).
"""
import json
import os
import random
import sys

FACILITIES = ["LINK", "LINEPROTO", "BGP", "OSPF", "SYS", "SEC", "DOT1X", "ENVMON", "PLATFORM",
              "SNMP", "STP", "HSRP", "ISIS", "MPLS", "LDP", "PIM", "AAA", "SSH", "NTP", "CDP"]
RULE_TEXTS = [f"%{f}-{sev}-" for f in FACILITIES for sev in (2, 3)][:36]
REGEXES = [r"interface (Gi|Te)\d+/\d+/\d+.*down", r"neighbor \d+\.\d+\.\d+\.\d+ (Down|Idle)",
           r"temperature (critical|shutdown)", r"power supply \d+ (failed|removed)",
           r"authentication failure for user \w+", r"duplex mismatch", r"CRC errors? exceeded",
           r"memory (exhausted|allocation failed)", r"fan tray \d+ (failed|removed)", r"BFD session .* down"]
OIDS = [".1.3.6.1.6.3.1.1.5.3", ".1.3.6.1.6.3.1.1.5.4", ".1.3.6.1.4.1.9.9.41.2", ".1.3.6.1.4.1.2636.4.1"]


def rules():
    out = []
    prio = 10
    for t in RULE_TEXTS:
        out.append(("contains", t, None, "Page_and_ticket", "Ticket_only"))
    for r in REGEXES:
        out.append(("regex", r, None, "Ticket_only", "Ignore"))
    for o in OIDS:
        out.append(("oid_prefix", None, o, "Page_and_ticket", "Ignore"))
    print("BEGIN;")
    for mt, s, oid, prod, dev in out:
        prio += 5
        q = lambda v: "NULL" if v is None else "'" + v.replace("'", "''") + "'"
        print(f"INSERT INTO alert_rules (match_string, trap_oid, match_type, priority, prod_handling, dev_handling, team_assignment) "
              f"VALUES ({q(s)}, {q(oid)}, '{mt}', {prio}, '{prod}', '{dev}', 'NetOps');")
    for i in range(20):
        print(f"INSERT INTO development_hosts VALUES ('dev-sw{i:02d}.lab.example.net');")
    for i in range(200):
        print(f"INSERT INTO device_teams VALUES ('core-rtr-{i:03d}.dc1.example.net', 'NetOps');")
    print("COMMIT;")


def resp(*args):
    parts = [f"*{len(args)}\r\n"]
    for a in args:
        b = a.encode()
        parts.append(f"${len(b)}\r\n")
        parts.append(a + "\r\n")
    return "".join(parts)


def events(n, path):
    rnd = random.Random(42)
    matched = 0
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            host = rnd.choice([f"core-rtr-{rnd.randrange(300):03d}.dc1.example.net",
                               f"dev-sw{rnd.randrange(25):02d}.lab.example.net"])
            r = rnd.random()
            ev = {"hostname": host, "timestamp": "2026-11-22T04:00:00Z", "syslog_severity": rnd.randrange(8),
                  "_event_id": f"bench-{i}", "_correlation_id": f"c-{i // 10}"}
            if r < 0.45:
                ev["message"] = f"{rnd.choice(RULE_TEXTS)}UPDOWN: Interface Gi0/{rnd.randrange(48)}, changed state to down"
                matched += 1
            elif r < 0.55:
                ev["message"] = rnd.choice(["interface Gi1/0/3 is down", "neighbor 10.0.0.2 Down",
                                            "temperature critical on slot 2", "duplex mismatch on Gi0/1",
                                            "BFD session 7 to 10.1.1.1 down"])
                matched += 1
            elif r < 0.60:
                ev["message"] = "trap received"
                ev["trap_oid"] = rnd.choice(OIDS).lstrip(".") + f".{rnd.randrange(9)}"
                matched += 1
            else:
                ev["message"] = f"%SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 10.0.{rnd.randrange(255)}.{rnd.randrange(255)} started - {rnd.randrange(10**6)}"
            f.write(resp("LPUSH", os.environ.get("BENCH_QUEUE", "mutt:ingest_queue"), json.dumps(ev, separators=(",", ":"))))
    print(matched)


if __name__ == "__main__":
    if sys.argv[1] == "rules":
        rules()
    else:
        events(int(sys.argv[2]), sys.argv[3])
