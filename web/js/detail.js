// detail.js — one event: the fields, the flow, the protocol metadata, the rule text, the
// original record; and the pivots (the flow, other events of each address, DNS names the
// source resolved).
import { get } from './api.js';
import { loadLookups } from './lookups.js';
import { clear, errorText, fmtTime, h, sevClass, stateBox } from './dom.js';
import { t, tOr } from './i18n.js';
import { endpoint } from './table.js';

const META = ['http', 'dns', 'tls', 'ssh', 'smb', 'ftp', 'smtp', 'modbus', 'dnp3', 'iec104', 's7comm', 'fileinfo', 'anomaly'];

function kv(rows) {
    return h('dl', { class: 'kv' }, rows.filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)]));
}

export function pivots(e) {
    const r = e.record || {};
    const links = [];
    const flowId = e.flow_id || r.flow_id;
    if (flowId) {
        const q = new URLSearchParams({ flow_id: String(flowId) });
        if (e.src_ip) q.set('src_ip', e.src_ip);
        if (e.dest_ip) q.set('dest_ip', e.dest_ip);
        links.push(h('a', { class: 'btn', href: `/events?${q}`, dataset: { pivot: 'flow' } }, t('pivot.flow')));
    }
    if (e.src_ip) {
        links.push(h('a', { class: 'btn', href: `/events?ip=${encodeURIComponent(e.src_ip)}`, dataset: { pivot: 'src' } }, t('pivot.src_events', { ip: e.src_ip })));
        links.push(h('a', { class: 'btn', href: `/events?src_ip=${encodeURIComponent(e.src_ip)}&event_type=dns`, dataset: { pivot: 'dns' } }, t('pivot.dns', { ip: e.src_ip })));
    }
    if (e.dest_ip)
        links.push(h('a', { class: 'btn', href: `/events?ip=${encodeURIComponent(e.dest_ip)}`, dataset: { pivot: 'dest' } }, t('pivot.dest_events', { ip: e.dest_ip })));
    return h('div', { class: 'pivots' }, links);
}

export function renderDetail(root, id, back) {
    const ctl = new AbortController();
    clear(root, stateBox('loading', t('common.loading')));
    // EVE times ("2026-06-12T08:15:03.123456+0000") in local time like every other time
    const evTime = (s) => {
        const ms = s ? Date.parse(String(s).replace(/(\.\d{3})\d*/, '$1').replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : NaN;
        return Number.isNaN(ms) ? s : fmtTime(ms * 1000);
    };
    Promise.all([get(`/events/${id}`, {}, { signal: ctl.signal }), loadLookups().catch(() => null)]).then(([e, lk]) => {
        const name = (map, id) => (lk && map(lk).get(id) ? map(lk).get(id).name : `#${id}`);
        const r = e.record || {};
        const a = e.alert || r.alert ? { ...(r.alert || {}), ...(e.alert || {}) } : null;
        const sections = [
            h('div', { class: 'detail-head' },
                h('a', { href: back, class: 'btn ghost', dataset: { action: 'back' } }, t('common.back')),
                h('h2', { id: 'detail-title' }, a ? a.signature || `#${a.signature_id}` : tOr(`etype.${e.event_type}`, e.event_type))),
            kv([
                ['field.time', fmtTime(e.ts_us)],
                ['field.event_type', tOr(`etype.${e.event_type}`, e.event_type)],
                ['field.severity', a && a.severity ? h('span', { class: sevClass(a.severity) }, t(`severity.${a.severity}`)) : null],
                ['field.signature_id', a ? String(a.signature_id) : null],
                ['field.category', a && a.category],
                ['field.action', a && a.action],
                ['field.src', endpoint(e.src_ip, e.src_port)],
                ['field.dest', endpoint(e.dest_ip, e.dest_port)],
                ['field.proto', e.proto],
                ['field.app_proto', e.app_proto],
                ['field.flow_id', e.flow_id || r.flow_id ? String(e.flow_id || r.flow_id) : null],
                ['field.sensor', name((l) => l.sensor, e.sensor_id)],
                ['field.org', name((l) => l.org, e.org_id)],
            ]),
            pivots(e),
        ];
        if (r.flow) sections.push(h('h3', {}, t('detail.flow')), kv([
            ['flow.pkts', `${r.flow.pkts_toserver ?? 0} / ${r.flow.pkts_toclient ?? 0}`],
            ['flow.bytes', `${r.flow.bytes_toserver ?? 0} / ${r.flow.bytes_toclient ?? 0}`],
            ['flow.start', evTime(r.flow.start)], ['flow.end', evTime(r.flow.end)], ['flow.state', r.flow.state],
        ]));
        for (const k of META)
            if (r[k]) sections.push(h('h3', {}, t('detail.metadata', { proto: k })), h('pre', { class: 'json', dataset: { meta: k } }, JSON.stringify(r[k], null, 2)));
        sections.push(h('h3', {}, t('detail.rule')));
        sections.push(a && a.rule ? h('pre', { class: 'rule', id: 'rule-text' }, a.rule)
            : stateBox('empty', t('detail.no_rule')));
        if (e.raw || e.record)
            sections.push(h('details', {}, h('summary', {}, t('detail.raw')),
                h('pre', { class: 'json' }, e.raw || JSON.stringify(e.record, null, 2))));
        clear(root, h('article', { class: 'detail', id: 'detail' }, sections));
        root.querySelector('#detail-title').focus?.();
    }).catch((err) => {
        if (err.name !== 'AbortError') clear(root, h('div', {}, h('a', { href: back, class: 'btn ghost' }, t('common.back')), stateBox('error', errorText(err))));
    });
    return () => ctl.abort();
}
