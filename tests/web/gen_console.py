#!/usr/bin/env python3
"""gen_console.py — EVE records for the console's browser tests, stamped relative to now so
they fall in the overview's default range (the last 24 hours).

gen_console.py NET TAG prints, for addresses 10.NET.0.0/16, one small story per district:
  - a high-severity alert "CITYSOC-<TAG> backdoor beacon" (flow_id NET*1000+1) with its rule
    text, the flow record and an HTTP record of the same flow,
  - two DNS answers for names the source resolved (<tag>-c2.example, <tag>-cdn.example),
  - medium and low alerts ("CITYSOC-<TAG> scan", "CITYSOC-<TAG> policy") and a Modbus write.
TAG is lower-case letters; every name carries it so a test can tell the districts apart."""
import json
import sys
import time

net, tag = int(sys.argv[1]), sys.argv[2]
now = time.time()
src, dst = "10.%d.0.5" % net, "10.%d.9.9" % net
out = []


def ts(ago):
    t = now - ago
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06d+0000" % int((t % 1) * 1e6)


def rec(ago, etype, fid, **kw):
    r = {"timestamp": ts(ago), "flow_id": fid, "event_type": etype, "src_ip": src, "src_port": 40000 + fid % 1000,
         "dest_ip": dst, "dest_port": 80, "proto": "TCP"}
    r.update(kw)
    out.append(r)


T = tag.upper()
fid = net * 1000 + 1
rule = 'alert http any any -> any any (msg:"CITYSOC-%s backdoor beacon"; content:"/beacon"; sid:%d; rev:1;)' % (T, 9100000 + net)
rec(600, "alert", fid, app_proto="http",
    alert={"action": "allowed", "gid": 1, "signature_id": 9100000 + net, "rev": 1,
           "signature": "CITYSOC-%s backdoor beacon" % T, "category": "A Network Trojan was detected",
           "severity": 1, "rule": rule},
    http={"hostname": "%s-c2.example" % tag, "url": "/beacon", "http_method": "GET", "status": 200})
rec(590, "http", fid, app_proto="http",
    http={"hostname": "%s-c2.example" % tag, "url": "/beacon", "http_method": "GET", "status": 200, "length": 42})
rec(580, "flow", fid, app_proto="http",
    flow={"pkts_toserver": 6, "pkts_toclient": 5, "bytes_toserver": 640, "bytes_toclient": 900,
          "start": ts(600), "end": ts(580), "age": 20, "state": "closed", "reason": "timeout", "alerted": True})
for i, name in enumerate(["%s-c2.example" % tag, "%s-cdn.example" % tag]):
    rec(700 + i, "dns", fid + 10 + i, proto="UDP", dest_ip="10.%d.0.53" % net, dest_port=53, app_proto="dns",
        dns={"version": 2, "type": "answer", "id": 100 + i, "rrname": name, "rrtype": "A", "rcode": "NOERROR",
             "answers": [{"rrname": name, "rrtype": "A", "ttl": 60, "rdata": dst}]})
for i in range(6):
    sev = 2 if i % 2 == 0 else 3
    sig = "scan" if sev == 2 else "policy"
    rec(1200 + 300 * i, "alert", fid + 100 + i, app_proto="http",
        alert={"action": "allowed", "gid": 1, "signature_id": 9200000 + net * 10 + sev, "rev": 1,
               "signature": "CITYSOC-%s %s" % (T, sig), "category": "test", "severity": sev})
rec(900, "modbus", fid + 200, dest_port=502, app_proto="modbus",
    modbus={"id": 1, "request": {"transaction_id": 1, "unit_id": 1, "function_code": "WriteSingleRegister",
                                 "write": {"address": 4, "data": 99}}})
for r in out:
    sys.stdout.write(json.dumps(r, separators=(",", ":")) + "\n")
