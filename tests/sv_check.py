#!/usr/bin/env python3
"""sv_check.py — evaluates suricata-verify style checks (test.json) against an eve.json.

Usage: sv_check.py TEST_DIR OUT_DIR [--skip-event-types alert,http,...]
Implements `filter` checks (count + match with dotted paths, [i] indexes, has-key,
not-has-key, and the __len/__contains/__find/__startswith/__endswith/__gt/__gte/__lt/__lte
suffixes) and `stats` checks (last stats record). Checks needing event types listed in
--skip-event-types (features not built yet) are reported as skipped.
Prints one line per check and "RESULT passed=N failed=M"."""
import json
import re
import sys

MISSING = object()


def lookup(obj, path):
    for part in path.split('.'):
        m = re.fullmatch(r'([^\[]*)((?:\[\d+\])*)', part)
        key, idxs = m.group(1), m.group(2)
        if key:
            if not isinstance(obj, dict) or key not in obj:
                return MISSING
            obj = obj[key]
        for i in re.findall(r'\[(\d+)\]', idxs):
            i = int(i)
            if not isinstance(obj, list) or i >= len(obj):
                return MISSING
            obj = obj[i]
    return obj


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def match_one(rec, key, expected):
    if key == 'has-key':
        return lookup(rec, expected) is not MISSING
    if key == 'not-has-key':
        return lookup(rec, expected) is MISSING
    for suffix in ('__len', '__contains', '__find', '__startswith', '__endswith',
                   '__gt', '__gte', '__lt', '__lte'):
        if key.endswith('.' + suffix):
            v = lookup(rec, key[:-len(suffix) - 1])
            if v is MISSING:
                return False
            if suffix == '__len':
                return hasattr(v, '__len__') and len(v) == expected
            if suffix == '__contains':
                return hasattr(v, '__contains__') and expected in v
            if suffix == '__find':
                return isinstance(v, str) and v.find(expected) >= 0
            if suffix == '__startswith':
                return isinstance(v, str) and v.startswith(expected)
            if suffix == '__endswith':
                return isinstance(v, str) and v.endswith(expected)
            if not (num(v) and num(expected)):
                return False
            return {'__gt': v > expected, '__gte': v >= expected,
                    '__lt': v < expected, '__lte': v <= expected}[suffix]
    v = lookup(rec, key)
    return v is not MISSING and v == expected


def main():
    test_dir, out_dir = sys.argv[1], sys.argv[2]
    skip = set()
    if len(sys.argv) > 4 and sys.argv[3] == '--skip-event-types':
        skip = set(sys.argv[4].split(','))
    test = json.load(open(f'{test_dir}/test.json'))
    records = []
    with open(f'{out_dir}/eve.json', 'rb') as f:
        for n, line in enumerate(f, 1):
            try:
                records.append(json.loads(line))
            except ValueError as e:
                print(f'FAIL eve.json line {n} is not JSON: {e}')
                print('RESULT passed=0 failed=1')
                return 1
    passed = failed = skipped = 0
    for i, check in enumerate(test.get('checks', [])):
        if 'filter' in check:
            flt = check['filter']
            match = flt.get('match', {})
            et = match.get('event_type')
            if et in skip or any(k.split('.')[0] in skip for k in match):
                print(f'skip check {i}: needs {et}')
                skipped += 1
                continue
            if flt.get('filename', 'eve.json') != 'eve.json':
                print(f'skip check {i}: file {flt["filename"]}')
                skipped += 1
                continue
            got = sum(1 for r in records if all(match_one(r, k, v) for k, v in match.items()))
            want = flt.get('count')
            ok = got == want if want is not None else got > 0
            print(('ok' if ok else 'FAIL') + f' check {i}: count {got} want {want} {match}')
        elif 'stats' in check:
            st = [r for r in records if r.get('event_type') == 'stats']
            last = st[-1]['stats'] if st else {}
            ok = all(lookup(last, k) == v for k, v in check['stats'].items())
            print(('ok' if ok else 'FAIL') + f' check {i}: stats {check["stats"]}')
        else:
            print(f'skip check {i}: {list(check)}')
            skipped += 1
            continue
        passed += ok
        failed += not ok
    print(f'RESULT passed={passed} failed={failed} skipped={skipped}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
