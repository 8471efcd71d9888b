#!/usr/bin/env bash
# Our iec104 and s7comm EVE fields against tshark's dissectors, capture by capture, for the
# captures under tests/data/pcaps/{iec104,s7comm}: the multiset of APCI frames (type, send and
# receive sequence numbers, U function) and of ASDUs (type id, cause, P/N, test, originator,
# common address, SQ, number of objects, every IOA with its value and CP56Time2a time tag)
# for IEC 104; of S7 PDUs (ROSCTR, PDU reference, function, error class/code, item count and
# the address of every read/write item, userdata group/subfunction, SZL id/index, SZL list length/count) and COTP
# connection TPDUs (type, TSAPs) for S7comm; userdata answers split in data units are compared
# reassembled (fragment count, SZL header of the whole answer). One check per capture and
# protocol.
# Without tshark: a SKIP line and nothing counted.
set -uo pipefail
cd "$(dirname "$0")/../.."
S=${BUILD:-build}/citysoc-sensor
if ! command -v tshark >/dev/null 2>&1; then
    echo "SKIP ics_tshark: tshark is not installed"
    echo "RESULT passed=0 failed=0"
    exit 0
fi
T=$(mktemp -d /tmp/cs-icstshark.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
for p in tests/data/pcaps/iec104/*.pcap* tests/data/pcaps/s7comm/*.pcap*; do
    proto=$(basename "$(dirname "$p")")
    # the dissector-stress capture holds deliberately broken APDUs: both sides resynchronise
    # differently after them, so it is checked by iec104_test instead
    case "$p" in *TestDissectIec104*) continue ;; esac
    o=$T/o; rm -rf "$o"; mkdir -p "$o"
    if ! "$S" -r "$p" -l "$o" -S /dev/null -k none --set stream.midstream=true >/dev/null 2>"$o/err"; then
        echo "FAIL $p: sensor: $(head -2 "$o/err")"; fail=$((fail + 1)); continue
    fi
    if ! tshark -r "$p" -T json -o tcp.desegment_tcp_streams:TRUE >"$o/ts.json" 2>/dev/null; then
        echo "FAIL $p: tshark failed"; fail=$((fail + 1)); continue
    fi
    if python3 - "$proto" "$o/eve.json" "$o/ts.json" <<'PY'
import collections, json, sys

proto, eve_path, ts_path = sys.argv[1:4]

def pairs(obj):
    return ('__pairs__', obj)

def load_ts(path):
    # tshark repeats keys (several APDUs in one frame): keep every pair, in order
    return json.load(open(path), object_pairs_hook=lambda kv: kv)

def flat(node, out):
    """All (key, value) leaves of a pair-list tree, in document order."""
    if isinstance(node, list) and node and isinstance(node[0], tuple):
        for k, v in node:
            if isinstance(v, list) and v and isinstance(v[0], tuple):
                flat(v, out)
            elif isinstance(v, list):
                for x in v:
                    if isinstance(x, list) and x and isinstance(x[0], tuple):
                        flat(x, out)
                    else:
                        out.append((k, x))
            else:
                out.append((k, v))
    return out

def layers(frame):
    src = dict(frame)['_source']
    return dict(src)['layers']

def num(v):
    return int(v, 0)

ts = load_ts(ts_path)
eve = [json.loads(l) for l in open(eve_path)]
mine_a, mine_b, theirs_a, theirs_b = [], [], [], []

if proto == 'iec104':
    ufunc = {'STARTDT_ACT': 1, 'STARTDT_CON': 2, 'STOPDT_ACT': 4, 'STOPDT_CON': 8,
             'TESTFR_ACT': 16, 'TESTFR_CON': 32}
    vfields = ('iec60870_asdu.float', 'iec60870_asdu.normval', 'iec60870_asdu.scalval',
               'iec60870_asdu.siq.spi', 'iec60870_asdu.diq.dpi', 'iec60870_asdu.sco.on',
               'iec60870_asdu.dco.on', 'iec60870_asdu.bcr.count', 'iec60870_asdu.qoi')
    def val(v):
        return None if v is None else round(float(v), 3)
    for r in eve:
        if r.get('event_type') != 'iec104':
            continue
        a = r['iec104']['apci']
        t = {'I': 0, 'S': 1, 'U': 3}[a['type']]
        mine_a.append((t, a.get('tx_seq'), a.get('rx_seq'), ufunc.get(a.get('function'))))
        s = r['iec104'].get('asdu')
        if not s:
            continue
        objs = []
        for ob in s.get('objects', []):
            v = ob.get('value', ob.get('qoi'))
            tm = ob.get('time')
            if tm:  # YYYY-MM-DDTHH:MM:SS.mmm -> (ms, min, hour, day, month, year)
                d, h = tm.split('T')
                y, mo, dd = d.split('-')
                hh, mi, ss = h.split(':')
                tm = (round(float(ss) * 1000), int(mi), int(hh), int(dd), int(mo), int(y) % 100)
            objs.append((ob['ioa'], val(v), tm))
        mine_b.append((s['type_id'], s['cot'], int(s['negative']), int(s['test']), s['originator'],
                       s['common_address'], int(s['sq']), s['num_objects'], tuple(objs)))
    for fr in ts:
        lay = layers(fr)
        for k, v in lay:
            if k == 'iec60870_104':
                d = dict(flat(v, []))
                t = num(d['iec60870_104.type'])
                u = num(d['iec60870_104.utype']) if 'iec60870_104.utype' in d else None
                tx = int(d['iec60870_104.tx']) if t == 0 else None
                rx = int(d['iec60870_104.rx']) if t in (0, 1) else None
                theirs_a.append((t, tx, rx, u))
            elif k == 'iec60870_asdu':
                fl = flat(v, [])
                d = dict(fl)
                objs, cur = [], None
                tmp = {}
                for fk, fv in fl:
                    if fk == 'iec60870_asdu.ioa':
                        if cur is not None:
                            objs.append(cur)
                        cur = [int(fv), None, None]
                        tmp = {}
                    elif cur is not None and fk in vfields and cur[1] is None:
                        cur[1] = val(fv)
                    elif cur is not None and fk.startswith('iec60870_asdu.cp56time.'):
                        tmp[fk.split('.')[-1]] = int(fv)
                        if all(x in tmp for x in ('ms', 'min', 'hour', 'day', 'month', 'year')):
                            cur[2] = (tmp['ms'], tmp['min'], tmp['hour'], tmp['day'], tmp['month'],
                                      tmp['year'] % 100)
                if cur is not None:
                    objs.append(cur)
                theirs_b.append((int(d['iec60870_asdu.typeid']), int(d['iec60870_asdu.causetx']),
                                 int(d['iec60870_asdu.nega']), int(d['iec60870_asdu.test']),
                                 int(d['iec60870_asdu.oa']), int(d['iec60870_asdu.addr']),
                                 int(d['iec60870_asdu.sq']), int(d['iec60870_asdu.numix']),
                                 tuple(tuple(o) for o in objs)))
else:
    for r in eve:
        if r.get('event_type') != 's7comm':
            continue
        s = r['s7comm']
        if 'cotp' in s:
            c = s['cotp']
            if c['type'] in ('CR', 'CC'):
                mine_b.append((c['type'], c.get('src_tsap'), c.get('dst_tsap')))
            continue
        if s.get('protocol') != 's7comm':
            continue
        items = tuple((i.get('area_raw'), i.get('db') if i.get('area_raw') in (0x84, 0x85) else None,
                       i.get('start'), i.get('bit'), i.get('count')) for i in s.get('items', []))
        u = s.get('userdata', {})
        mine_a.append((s['rosctr_raw'], s['pdu_ref'], s.get('function_raw'), s.get('error_class'),
                       s.get('error_code'),
                       s.get('item_count') if s['rosctr_raw'] == 1 else None, items,
                       u.get('group_raw'), u.get('subfunction'), u.get('szl_id'), u.get('szl_index'),
                       u.get('szl_list_length'), u.get('szl_list_count'), u.get('fragments')))
    cotp_types = {'0x0e': 'CR', '0x0d': 'CC'}
    for fr in ts:
        lay = layers(fr)
        for k, v in lay:
            if k == 'cotp':
                d = dict(flat(v, []))
                ty = cotp_types.get(d.get('cotp.type'))
                if ty:
                    def tsap(key):
                        b = d.get(key)
                        return b.replace(':', '') if b else None
                    theirs_b.append((ty, tsap('cotp.src-tsap-bytes') or
                                     (('%04x' % num(d['cotp.src-tsap'])) if 'cotp.src-tsap' in d else None),
                                     tsap('cotp.dst-tsap-bytes') or
                                     (('%04x' % num(d['cotp.dst-tsap'])) if 'cotp.dst-tsap' in d else None)))
            elif k == 's7comm':
                fl = flat(v, [])
                d = {}
                for fk, fv in fl:
                    d.setdefault(fk, fv)
                if 's7comm.header.rosctr' not in d:
                    continue
                ro = int(d['s7comm.header.rosctr'])
                items, cur = [], None
                if ro == 1:
                    for fk, fv in fl:
                        if fk == 's7comm.param.item.varspec':
                            if cur:
                                items.append(cur)
                            cur = {}
                        elif cur is not None and fk.startswith('s7comm.param.item.'):
                            cur.setdefault(fk[len('s7comm.param.item.'):], fv)
                    if cur is not None:
                        items.append(cur)
                its = []
                for i in items:
                    if num(i.get('syntaxid', '0')) != 0x10:
                        its.append((None, None, None, None, None))
                        continue
                    area = num(i['area'])
                    if 'address.number' in i:  # timers and counters
                        start, bit = int(i['address.number']), 0
                    else:
                        start, bit = int(i['address.byte']), int(i['address.bit'])
                    its.append((area, int(i['db']) if area in (0x84, 0x85) else None,
                                start, bit, int(i['length'])))
                func = num(d['s7comm.param.func']) if 's7comm.param.func' in d and ro in (1, 3) else None
                fg = num(d['s7comm.param.userdata.funcgroup']) if ro == 7 and 's7comm.param.userdata.funcgroup' in d else None
                sf = num(d['s7comm.param.userdata.subfunc']) if ro == 7 and 's7comm.param.userdata.subfunc' in d else None
                # SZL id/index of whole requests and answers (answers split in data units:
                # on the last one, from the reassembled data), list length/count of answers
                szl = num(d['s7comm.data.userdata.szl_id']) if (ro == 7 and fg == 4 and sf == 1 and 's7comm.data.userdata.szl_id' in d) else None
                szi = num(d['s7comm.data.userdata.szl_index']) if szl is not None and 's7comm.data.userdata.szl_index' in d else None
                pll = int(d['s7comm.data.userdata.szl_id.partlist_len']) if szl is not None and 's7comm.data.userdata.szl_id.partlist_len' in d else None
                plc = int(d['s7comm.data.userdata.szl_id.partlist_cnt']) if szl is not None and 's7comm.data.userdata.szl_id.partlist_cnt' in d else None
                nfr = int(d['s7comm.fragment.count']) if ro == 7 and 's7comm.fragment.count' in d else None
                theirs_a.append((ro, int(d['s7comm.header.pduref']), func,
                                 num(d['s7comm.header.errcls']) if ro in (2, 3) else None,
                                 num(d['s7comm.header.errcod']) if ro in (2, 3) else None,
                                 int(d['s7comm.param.itemcount']) if ro == 1 and 's7comm.param.itemcount' in d else None,
                                 tuple(its), fg, sf, szl, szi, pll, plc, nfr))
    # mode-transition pushes (group 0) carry the new mode where others have a subfunction
    mine_a = [m[:8] + (None,) + m[9:] if m[7] == 0 else m for m in mine_a]
    theirs_a = [m[:8] + (None,) + m[9:] if m[7] == 0 else m for m in theirs_a]
    # ours: item_count only for read/write var jobs; tshark has it only there too
    mine_a = [m if m[2] in (4, 5) else m[:5] + (None,) + m[6:] for m in mine_a]
    theirs_a = [m if m[2] in (4, 5) else m[:5] + (None,) + m[6:] for m in theirs_a]

ok = True
for name, a, b in (('frames/PDUs', mine_a, theirs_a), ('ASDUs/COTP', mine_b, theirs_b)):
    ca, cb = collections.Counter(map(repr, a)), collections.Counter(map(repr, b))
    if ca != cb:
        ok = False
        print('#   %s: ours %d, tshark %d' % (name, len(a), len(b)))
        for x in list((ca - cb).elements())[:3]:
            print('#   only ours:   ' + x[:300])
        for x in list((cb - ca).elements())[:3]:
            print('#   only tshark: ' + x[:300])
print('# %s: %d frames/PDUs, %d ASDUs/COTP compared' % (proto, len(mine_a), len(mine_b)))
sys.exit(0 if ok and (mine_a or mine_b) else 1)
PY
    then
        echo "ok $p"; pass=$((pass + 1))
    else
        echo "FAIL $p: fields differ from tshark"; fail=$((fail + 1))
    fi
done
echo "RESULT passed=$pass failed=$fail"
[ $fail -eq 0 ]
