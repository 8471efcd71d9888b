// alerts.js — the alerts table: filters (time range, organisation, sensor, severity,
// signature, address, protocol, free text) kept in the URL, cursor pages, grouping by
// signature or address, and the detail view (/alerts/<id>).
import { get, tryGet } from './api.js';
import { loadLookups } from './lookups.js';
import { renderDetail } from './detail.js';
import { clear, errorText, fmtTime, h, localInputToUs, sevClass, stateBox, usToLocalInput } from './dom.js';
import { fmtNumber, t } from './i18n.js';
import { endpoint, eventTable } from './table.js';

// Filters as URL parameters; all but the UI-only ones go to GET /events as they are.
export const FILTERS = ['from', 'to', 'org_id', 'sensor_id', 'severity_max', 'signature', 'signature_id', 'ip', 'app_proto', 'q'];
const GROUPS = ['', 'signature', 'src_ip', 'dest_ip'];
const PROTOS = ['', 'http', 'dns', 'tls', 'ssh', 'smb', 'ftp', 'smtp', 'modbus', 'dnp3', 'iec104', 's7comm'];


function filterForm(params, lk, onApply) {
    const v = (k) => params.get(k) || '';
    const field = (key, input) => h('label', { class: 'field' }, h('span', {}, t(`filter.${key}`)), input);
    const sel = (name, opts) => h('select', { name }, opts.map(([val, label]) => h('option', { value: val, selected: v(name) === String(val) }, label)));
    const form = h('form', { class: 'filters', id: 'alert-filters' },
        field('from', h('input', { type: 'datetime-local', name: 'from', value: usToLocalInput(Number(v('from'))) })),
        field('to', h('input', { type: 'datetime-local', name: 'to', value: usToLocalInput(Number(v('to'))) })),
        field('org', sel('org_id', [['', t('filter.all')], ...lk.orgs.map((o) => [o.id, `${'  '.repeat(Math.max(0, o.path.split('/').length - 3))}${o.name}`])])),
        field('sensor', sel('sensor_id', [['', t('filter.all')], ...lk.sensors.map((s) => [s.id, s.name])])),
        field('severity', sel('severity_max', [['', t('filter.all')], ...[1, 2, 3].map((s) => [s, t(`filter.sev_max.${s}`)])])),
        field('signature', h('input', { name: 'signature', value: v('signature'), maxlength: '256' })),
        field('address', h('input', { name: 'ip', value: v('ip'), inputmode: 'numeric' })),
        field('protocol', sel('app_proto', PROTOS.map((p) => [p, p || t('filter.all')]))),
        field('q', h('input', { name: 'q', type: 'search', value: v('q'), 'data-i18n-placeholder': 'filter.q_hint', placeholder: t('filter.q_hint') })),
        field('group', sel('group', GROUPS.map((g) => [g, t(`group.${g || 'none'}`)]))),
        h('div', { class: 'field actions' },
            h('button', { type: 'submit', id: 'filter-apply' }, t('filter.apply')),
            h('a', { class: 'btn ghost', href: '/alerts', id: 'filter-reset' }, t('filter.reset'))));
    if (v('signature_id')) form.append(h('input', { type: 'hidden', name: 'signature_id', value: v('signature_id') }));
    form.addEventListener('submit', (e) => {
        e.preventDefault();
        const fd = new FormData(form);
        const q = new URLSearchParams();
        for (const [k, val] of fd.entries()) {
            if (!val) continue;
            q.set(k, k === 'from' || k === 'to' ? String(localInputToUs(val)) : String(val).trim());
        }
        onApply(q);
    });
    return form;
}

export function render(root, ctx) {
    if (ctx.id) return renderDetail(root, ctx.id, `/alerts${location.search}`);
    const ctl = new AbortController();
    const params = ctx.params;
    const status = h('div', { class: 'status-line', id: 'alert-status' });
    const body = h('div', { id: 'alert-body' }, stateBox('loading', t('common.loading')));
    const formBox = h('div');
    clear(root, h('div', { class: 'toolbar' }, h('h1', {}, t('nav.alerts')), status), formBox, body);

    const query = { event_type: 'alert', limit: 100 };
    for (const k of FILTERS) if (params.get(k)) query[k] = params.get(k);
    const group = params.get('group') || '';
    let rows = [], cursor = null;

    const cols = (lk) => [
        { title: 'field.time', cls: 'nowrap', cell: (e) => fmtTime(e.ts_us) },
        { title: 'field.severity', cell: (e) => h('span', { class: sevClass(e.alert && e.alert.severity) }, e.alert && e.alert.severity ? t(`severity.${e.alert.severity}`) : '–') },
        { title: 'field.signature', cls: 'wide', cell: (e) => (e.alert ? e.alert.signature : '') },
        { title: 'field.src', cls: 'mono', cell: (e) => endpoint(e.src_ip, e.src_port) },
        { title: 'field.dest', cls: 'mono', cell: (e) => endpoint(e.dest_ip, e.dest_port) },
        { title: 'field.proto', cell: (e) => [e.proto, e.app_proto].filter(Boolean).join('/') },
        { title: 'field.sensor', cell: (e) => (lk.sensor.get(e.sensor_id) || {}).name || `#${e.sensor_id}` },
        { title: 'field.org', cell: (e) => (lk.org.get(e.org_id) || {}).name || `#${e.org_id}` },
    ];
    const open = (e) => ctx.navigate(`/alerts/${e.id}${location.search}`);

    function paintTable(lk) {
        if (!rows.length) return clear(body, stateBox('empty', t('alerts.none')));
        const more = cursor ? h('button', { type: 'button', id: 'alert-more', class: 'ghost', onclick: () => page(lk) }, t('common.more')) : null;
        clear(body, eventTable(cols(lk), rows, open), more);
        status.textContent = t('alerts.shown', { n: fmtNumber(rows.length) }) + (cursor ? '' : ` · ${t('common.all_loaded')}`);
    }

    async function page(lk) {
        try {
            const r = await get('/events', { ...query, cursor: cursor || '' }, { signal: ctl.signal });
            rows.push(...r.events);
            cursor = r.next_cursor;
            paintTable(lk);
        } catch (e) {
            if (e.name === 'AbortError') return;
            clear(body, stateBox('error', e.status === 400 && (query.q || query.app_proto) ? t('alerts.filter_unsupported') : errorText(e)));
        }
    }

    // Grouping: GET /stats/agg when the hub has it, else the newest 1000 alerts grouped here.
    async function grouped(lk) {
        const keyOf = { signature: (e) => e.alert && e.alert.signature_id, src_ip: (e) => e.src_ip, dest_ip: (e) => e.dest_ip }[group];
        let groups, note = '';
        const agg = await tryGet('/stats/agg', { ...query, limit: 100, by: group }, { signal: ctl.signal }).catch((e) => {
            if (e.status === 400) return null;
            throw e;
        });
        if (agg && Array.isArray(agg.rows || agg.groups)) {
            groups = (agg.rows || agg.groups).map((g) => ({ key: g.key_id > 0 ? g.key_id : g.key, label: g.label || g.key || String(g.key_id), count: g.count }));
        } else {
            const r = await get('/events', { ...query, limit: 1000 }, { signal: ctl.signal });
            const m = new Map();
            for (const e of r.events) {
                const k = keyOf(e);
                if (k === undefined || k === null) continue;
                const g = m.get(k) || { key: k, label: group === 'signature' ? e.alert.signature : k, count: 0 };
                g.count++;
                m.set(k, g);
            }
            groups = [...m.values()].sort((a, b) => b.count - a.count);
            note = t('alerts.group_sample', { n: fmtNumber(r.events.length) });
        }
        const param = group === 'signature' ? 'signature_id' : 'ip';
        const link = (g) => {
            const q = new URLSearchParams(params);
            q.delete('group');
            q.set(param, String(g.key));
            return `/alerts?${q}`;
        };
        status.textContent = t('alerts.groups', { n: fmtNumber(groups.length) }) + (note ? ` · ${note}` : '');
        if (!groups.length) return clear(body, stateBox('empty', t('alerts.none')));
        clear(body, h('table', { class: 'events', id: 'alert-groups' },
            h('thead', {}, h('tr', {}, h('th', { class: 'n' }, t('field.count')), h('th', {}, t(`group.${group}`)))),
            h('tbody', {}, groups.map((g) => h('tr', {}, h('td', { class: 'n' }, fmtNumber(g.count)),
                h('td', {}, h('a', { href: link(g) }, String(g.label))))))));
    }

    loadLookups().then(async (lk) => {
        clear(formBox, filterForm(params, lk, (q) => ctx.navigate(`/alerts?${q}`)));
        if (group) await grouped(lk);
        else await page(lk);
    }).catch((e) => {
        if (e.name !== 'AbortError') clear(body, stateBox('error', errorText(e)));
    });
    return () => ctl.abort();
}
