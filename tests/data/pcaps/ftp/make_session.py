#!/usr/bin/env python3
"""make_session.py OUT.pcap — writes a small FTP control session (made here, no capture of
FTP exists in the corpus): TCP handshake 10.0.0.1:40000 -> 10.0.0.2:21, the greeting, USER /
PASS / PASV / RETR / QUIT with their replies one segment each, then FIN both ways. Ethernet,
IPv4, TCP with correct checksums; one segment per line exchange, 1 ms apart."""
import struct, sys

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def pkt(src, dst, sp, dp, seq, ack, flags, data=b''):
    tcp = struct.pack('!HHIIBBHHH', sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    ph = bytes(src) + bytes(dst) + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(ph + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, bytes(src),
                     bytes(dst))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    eth = b'\x00\x00\x00\x00\x00\x02' + b'\x00\x00\x00\x00\x00\x01' + b'\x08\x00'
    return eth + ip + tcp

C, S = (10, 0, 0, 1), (10, 0, 0, 2)
# `make_session.py OUT bounce`: active mode, one PORT to the client itself and one to a
# third host (an FTP bounce, what the ftpbounce keyword finds)
BOUNCE = [
    ('s', b'220 (vsFTPd 3.0.3)\r\n'),
    ('c', b'USER anonymous\r\n'),
    ('s', b'331 Please specify the password.\r\n'),
    ('c', b'PASS guest@example.org\r\n'),
    ('s', b'230 Login successful.\r\n'),
    ('c', b'PORT 10,0,0,1,156,65\r\n'),
    ('s', b'200 PORT command successful. Consider using PASV.\r\n'),
    ('c', b'PORT 192,168,7,7,0,25\r\n'),
    ('s', b'200 PORT command successful. Consider using PASV.\r\n'),
    ('c', b'QUIT\r\n'),
    ('s', b'221 Goodbye.\r\n'),
]
convo = [
    ('s', b'220 (vsFTPd 3.0.3)\r\n'),
    ('c', b'USER anonymous\r\n'),
    ('s', b'331 Please specify the password.\r\n'),
    ('c', b'PASS guest@example.org\r\n'),
    ('s', b'230 Login successful.\r\n'),
    ('c', b'PASV\r\n'),
    ('s', b'227 Entering Passive Mode (10,0,0,2,195,81).\r\n'),
    ('c', b'RETR pub/README\r\n'),
    ('s', b'150 Opening BINARY mode data connection for pub/README (12 bytes).\r\n'),
    ('s', b'226 Transfer complete.\r\n'),
    ('c', b'QUIT\r\n'),
    ('s', b'221 Goodbye.\r\n'),
]
if len(sys.argv) > 2 and sys.argv[2] == 'bounce':
    convo = BOUNCE
out = []
cs, ss = 1000, 5000
out.append(pkt(C, S, 40000, 21, cs, 0, 0x02)); cs += 1
out.append(pkt(S, C, 21, 40000, ss, cs, 0x12)); ss += 1
out.append(pkt(C, S, 40000, 21, cs, ss, 0x10))
for who, d in convo:
    if who == 'c':
        out.append(pkt(C, S, 40000, 21, cs, ss, 0x18, d)); cs += len(d)
    else:
        out.append(pkt(S, C, 21, 40000, ss, cs, 0x18, d)); ss += len(d)
out.append(pkt(C, S, 40000, 21, cs, ss, 0x11)); cs += 1
out.append(pkt(S, C, 21, 40000, ss, cs, 0x11)); ss += 1
out.append(pkt(C, S, 40000, 21, cs, ss, 0x10))
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    t = 1700000000.0
    for i, p in enumerate(out):
        ts = t + i * 0.001
        f.write(struct.pack('<IIII', int(ts), int(round((ts % 1) * 1e6)), len(p), len(p)) + p)
