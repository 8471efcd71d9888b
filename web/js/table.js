// table.js — the events/alerts table: rows are focusable; ↑/↓ move, Enter opens, so the
// table is usable from the keyboard alone.
import { h } from './dom.js';
import { t } from './i18n.js';

export function eventTable(cols, rows, onOpen) {
    const body = h('tbody', {}, rows.map((r) => {
        const tr = h('tr', { tabindex: '0', dataset: { id: String(r.id) } },
            cols.map((c) => h('td', { class: c.cls || '' }, c.cell(r))));
        tr.addEventListener('click', (e) => { if (!e.target.closest('a,button')) onOpen(r); });
        tr.addEventListener('keydown', (e) => {
            if (e.key === 'Enter') { e.preventDefault(); onOpen(r); }
            else if (e.key === 'ArrowDown' && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); }
            else if (e.key === 'ArrowUp' && tr.previousElementSibling) { e.preventDefault(); tr.previousElementSibling.focus(); }
        });
        return tr;
    }));
    return h('table', { class: 'events' },
        h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.cls || '' }, t(c.title))))),
        body);
}

// One-line summary of an event's protocol metadata (the record's http/dns/tls/… object).
export function summary(e) {
    const r = e.record || {};
    if (e.alert) return e.alert.signature || '';
    if (r.dns) {
        const d = r.dns;
        const q = d.rrname || (d.queries && d.queries[0] && d.queries[0].rrname) || '';
        const ans = (d.answers || []).map((a) => a.rdata).filter(Boolean).slice(0, 3).join(', ');
        return ans ? `${q} → ${ans}` : q;
    }
    if (r.http) return `${r.http.http_method || ''} ${r.http.hostname || ''}${r.http.url || ''}`.trim();
    if (r.tls) return r.tls.sni || r.tls.subject || '';
    if (r.flow) return `${r.flow.pkts_toserver ?? 0}/${r.flow.pkts_toclient ?? 0} pkts, ${r.flow.bytes_toserver ?? 0}/${r.flow.bytes_toclient ?? 0} B`;
    for (const k of ['modbus', 'dnp3', 'iec104', 's7comm', 'ssh', 'smb', 'ftp', 'smtp'])
        if (r[k]) return JSON.stringify(r[k]).slice(0, 120);
    return '';
}

export const endpoint = (ip, port) => (ip ? (port ? (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`) : ip) : '–');
