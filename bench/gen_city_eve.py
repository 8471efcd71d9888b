#!/usr/bin/env python3
"""gen_city_eve.py — EVE lines for the hub's overview benchmark (not test data).

gen_city_eve.py SENSOR_INDEX COUNT END_UNIX SPAN_S prints COUNT records of one sensor spread
evenly over [END-SPAN, END): 10% alerts (200 signatures, severities 1..3, sources from a /16,
20 destinations), the rest flow, dns, http, tls, modbus (a quarter of them writes) and dnp3
(a fifth DIRECT_OPERATE), and a stats record every 10,000 lines. Deterministic."""
import sys
import time

k, count, end, span = (int(a) for a in sys.argv[1:5])
start = end - span
w = sys.stdout.write
x = 2463534242 ^ (k * 7919 + 1)
last_t, tstr = -1, ""
buf = []
for n in range(count):
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    t = start + (span * n) // count
    if t != last_t:
        last_t, tstr = t, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
    ts = "%s.%06d+0000" % (tstr, x % 1000000)
    src = "10.%d.%d.%d" % (k, (x >> 8) % 256, (x >> 16) % 254 + 1)
    head = '{"timestamp":"%s","flow_id":%d,' % (ts, k * 100000000 + n + 1)
    r = x % 100
    if n % 10000 == 9999:
        buf.append('{"timestamp":"%s","event_type":"stats","stats":{"uptime":%d,"capture":'
                   '{"kernel_packets":%d,"kernel_drops":%d,"errors":0},"decoder":{"pkts":%d}}}\n'
                   % (ts, t - start, n * 40, n // 1000, n * 40))
    elif r < 10:
        sid = 2000000 + (x >> 4) % 200
        buf.append(head + '"event_type":"alert","src_ip":"%s","src_port":%d,"dest_ip":"192.0.2.%d",'
                   '"dest_port":80,"proto":"TCP","app_proto":"http","alert":{"action":"allowed",'
                   '"gid":1,"signature_id":%d,"rev":1,"signature":"CITY BENCH signature %d",'
                   '"category":"bench","severity":%d}}\n'
                   % (src, 1024 + x % 60000, (x >> 12) % 20 + 1, sid, sid, 1 + sid % 3))
    elif r < 60:
        app = ("http", "dns", "tls", "failed", None)[(x >> 3) % 5]
        buf.append(head + '"event_type":"flow","src_ip":"%s","src_port":%d,"dest_ip":"192.0.2.%d",'
                   '"dest_port":443,"proto":"%s",%s"flow":{"pkts_toserver":3,"pkts_toclient":2,'
                   '"bytes_toserver":180,"bytes_toclient":120,"state":"closed"}}\n'
                   % (src, 1024 + x % 60000, (x >> 12) % 20 + 1, "UDP" if app == "dns" else "TCP",
                      '"app_proto":"%s",' % app if app else ""))
    elif r < 75:
        buf.append(head + '"event_type":"dns","src_ip":"%s","src_port":%d,"dest_ip":"192.0.2.53",'
                   '"dest_port":53,"proto":"UDP","app_proto":"dns","dns":{"type":"request","id":%d,'
                   '"rrname":"host%d.example.org","rrtype":"A"}}\n'
                   % (src, 1024 + x % 60000, x % 65536, x % 5000))
    elif r < 85:
        buf.append(head + '"event_type":"http","src_ip":"%s","src_port":%d,"dest_ip":"192.0.2.80",'
                   '"dest_port":80,"proto":"TCP","app_proto":"http","http":{"hostname":'
                   '"www%d.example.org","url":"/p/%d","http_method":"GET","status":200}}\n'
                   % (src, 1024 + x % 60000, x % 50, x % 10000))
    elif r < 92:
        buf.append(head + '"event_type":"tls","src_ip":"%s","src_port":%d,"dest_ip":"192.0.2.43",'
                   '"dest_port":443,"proto":"TCP","app_proto":"tls","tls":{"sni":"s%d.example.org",'
                   '"version":"TLS 1.3"}}\n' % (src, 1024 + x % 60000, x % 300))
    elif r < 97:
        fc = (3, 3, 3, 16)[(x >> 5) % 4]
        buf.append(head + '"event_type":"modbus","src_ip":"10.%d.200.1","src_port":%d,'
                   '"dest_ip":"10.%d.201.%d","dest_port":502,"proto":"TCP","app_proto":"modbus",'
                   '"modbus":{"id":%d,"request":{"transaction_id":%d,"protocol_id":0,"unit_id":1,'
                   '"function_raw":%d,"access_type":"%s"}}}\n'
                   % (k, 1024 + x % 60000, k, x % 8 + 1, n, x % 65536, fc,
                      "WRITE | HOLDING" if fc == 16 else "READ | HOLDING"))
    else:
        fc = (1, 1, 1, 1, 5)[(x >> 5) % 5]
        buf.append(head + '"event_type":"dnp3","src_ip":"10.%d.210.1","src_port":%d,'
                   '"dest_ip":"10.%d.211.%d","dest_port":20000,"proto":"TCP","app_proto":"dnp3",'
                   '"dnp3":{"type":"request","src":3,"dst":4,"application":{"function_code":%d,'
                   '"complete":true}}}\n' % (k, 1024 + x % 60000, k, x % 4 + 1, fc))
    if len(buf) >= 5000:
        w("".join(buf))
        buf = []
w("".join(buf))
