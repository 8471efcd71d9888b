#!/usr/bin/env python3
"""gen_eve.py — synthetic EVE lines for the hub's tests and benchmark.

gen_eve.py NET COUNT [SEED] [FIRST] [RATE] prints COUNT EVE records whose addresses are in
10.NET.0.0/16: every 4th is an alert (signature "CITYSOC TEST <n>", severity 1..3), the others
flows. The flow_id is unique per (SEED, n), so tests can tell records apart. RATE records share
each second (default 1: record n is one second after record n-1); FIRST (default 0) is the
first n, so consecutive calls with FIRST = 0, COUNT, 2*COUNT… give consecutive stretches of
time, as a sensor's batches are."""
import json
import sys
import time

net, count = int(sys.argv[1]), int(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
rate = int(sys.argv[5]) if len(sys.argv) > 5 else 1
out = sys.stdout
for n in range(first, first + count):
    sec = 1781251735 + n // rate
    usec = n % 1000000 if rate == 1 else (n % rate) * 1000000 // rate
    rec = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + ".%06d+0000" % usec,
        "flow_id": seed * 10_000_000 + n + 1,
        "event_type": "alert" if n % 4 == 0 else "flow",
        "src_ip": "10.%d.%d.%d" % (net, (n // 250) % 250, n % 250 + 1),
        "src_port": 1024 + n % 60000,
        "dest_ip": "192.0.2.%d" % (net % 250 + 1),
        "dest_port": 502 if net % 2 else 80,
        "proto": "TCP",
    }
    if n % 4 == 0:
        rec["alert"] = {"action": "allowed", "gid": 1, "signature_id": 9000000 + n % 7, "rev": 1,
                        "signature": "CITYSOC TEST %d" % (n % 7), "category": "test",
                        "severity": 1 + n % 3}
    else:
        rec["flow"] = {"pkts_toserver": 3, "pkts_toclient": 2, "bytes_toserver": 180,
                       "bytes_toclient": 120, "start": rec["timestamp"], "end": rec["timestamp"],
                       "age": 0, "state": "closed", "reason": "timeout", "alerted": False}
    out.write(json.dumps(rec, separators=(",", ":")) + "\n")
