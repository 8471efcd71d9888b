// events.js — events and flows: search and pivot. /events?flow_id=… shows one flow's events
// (alerts, the flow record, protocol records); ?ip=… every event of an address;
// ?src_ip=…&event_type=dns the DNS names an address resolved. /events/<id> is the detail.
import { ApiError, get } from './api.js';
import { forgetLookups, loadLookups } from './lookups.js';
import { renderDetail } from './detail.js';
import { clear, errorText, fmtTime, h, localInputToUs, sevClass, stateBox, usToLocalInput } from './dom.js';
import { fmtNumber, t, tOr } from './i18n.js';
import { endpoint, eventTable, summary } from './table.js';

const FILTERS = ['from', 'to', 'event_type', 'ip', 'src_ip', 'dest_ip', 'flow_id', 'app_proto', 'q', 'org_id', 'sensor_id'];
const TYPES = ['', 'alert', 'flow', 'dns', 'http', 'tls', 'ssh', 'smb', 'ftp', 'smtp', 'modbus', 'dnp3', 'iec104', 's7comm', 'fileinfo', 'anomaly', 'stats'];

// GET /events; a hub without the flow_id filter is asked for the flow's address pair and
// the page is narrowed here to the records carrying that flow_id.
async function fetchPage(query, cursor, signal) {
    try {
        const r = await get('/events', { ...query, cursor: cursor || '' }, { signal });
        return { ...r, narrowed: false };
    } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 400 || !query.flow_id) throw e;
        const { flow_id: fid, ...rest } = query;
        const r = await get('/events', { ...rest, limit: 1000, cursor: cursor || '' }, { signal });
        return { events: r.events.filter((x) => x.record && String(x.record.flow_id) === String(fid)), next_cursor: r.next_cursor, narrowed: true };
    }
}

export function render(root, ctx) {
    if (ctx.id) return renderDetail(root, ctx.id, `/events${location.search}`);
    const ctl = new AbortController();
    const params = ctx.params;
    const v = (k) => params.get(k) || '';
    const query = { limit: 200 };
    for (const k of FILTERS) if (v(k)) query[k] = v(k);

    const field = (key, input) => h('label', { class: 'field' }, h('span', {}, t(`filter.${key}`)), input);
    const form = h('form', { class: 'filters', id: 'event-filters' },
        field('from', h('input', { type: 'datetime-local', name: 'from', value: usToLocalInput(Number(v('from'))) })),
        field('to', h('input', { type: 'datetime-local', name: 'to', value: usToLocalInput(Number(v('to'))) })),
        field('event_type', h('select', { name: 'event_type' }, TYPES.map((x) => h('option', { value: x, selected: v('event_type') === x }, x ? t(`etype.${x}`) : t('filter.all'))))),
        field('address', h('input', { name: 'ip', value: v('ip') })),
        field('src_ip', h('input', { name: 'src_ip', value: v('src_ip') })),
        field('dest_ip', h('input', { name: 'dest_ip', value: v('dest_ip') })),
        field('flow_id', h('input', { name: 'flow_id', value: v('flow_id'), inputmode: 'numeric' })),
        field('q', h('input', { name: 'q', type: 'search', value: v('q'), placeholder: t('filter.q_hint') })),
        h('div', { class: 'field actions' },
            h('button', { type: 'submit', id: 'event-apply' }, t('filter.apply')),
            h('a', { class: 'btn ghost', href: '/events' }, t('filter.reset'))));
    form.addEventListener('submit', (e) => {
        e.preventDefault();
        const q = new URLSearchParams();
        for (const [k, val] of new FormData(form).entries())
            if (val) q.set(k, k === 'from' || k === 'to' ? String(localInputToUs(val)) : String(val).trim());
        ctx.navigate(`/events?${q}`);
    });

    const heading = v('flow_id') ? t('events.flow_title', { id: v('flow_id') })
        : v('event_type') === 'dns' && v('src_ip') ? t('events.dns_title', { ip: v('src_ip') })
        : v('ip') ? t('events.ip_title', { ip: v('ip') }) : t('nav.events');
    const status = h('div', { class: 'status-line', id: 'event-status' });
    const names = h('div', { id: 'dns-names' });
    const body = h('div', { id: 'event-body' }, stateBox('loading', t('common.loading')));
    clear(root, h('div', { class: 'toolbar' }, h('h1', { id: 'events-heading' }, heading), status), form, names, body);

    let rows = [], cursor = null, narrowed = false;
    const open = (e) => ctx.navigate(`/events/${e.id}${location.search}`);

    function paint(lk) {
        if (v('event_type') === 'dns') {
            const set = new Map();
            for (const e of rows) {
                const d = e.record && e.record.dns;
                const n = d && (d.rrname || (d.queries && d.queries[0] && d.queries[0].rrname));
                if (n) set.set(n, (set.get(n) || 0) + 1);
            }
            clear(names, set.size ? h('section', { class: 'panel' }, h('h2', {}, t('events.dns_names')),
                h('ul', { class: 'chips' }, [...set.entries()].sort((a, b) => b[1] - a[1]).map(([n, c]) => h('li', {}, `${n} (${c})`)))) : null);
        }
        if (!rows.length) {
            clear(body, stateBox('empty', t('events.none')));
        } else {
            clear(body, eventTable([
                { title: 'field.time', cls: 'nowrap', cell: (e) => fmtTime(e.ts_us) },
                { title: 'field.event_type', cell: (e) => h('span', { class: e.alert ? sevClass(e.alert.severity) : 'etype' }, tOr(`etype.${e.event_type}`, e.event_type)) },
                { title: 'field.src', cls: 'mono', cell: (e) => endpoint(e.src_ip, e.src_port) },
                { title: 'field.dest', cls: 'mono', cell: (e) => endpoint(e.dest_ip, e.dest_port) },
                { title: 'field.proto', cell: (e) => [e.proto, e.app_proto].filter(Boolean).join('/') },
                { title: 'field.summary', cls: 'wide', cell: (e) => summary(e) },
                { title: 'field.sensor', cell: (e) => (lk.sensor.get(e.sensor_id) || {}).name || `#${e.sensor_id}` },
            ], rows, open), cursor ? h('button', { type: 'button', class: 'ghost', id: 'event-more', onclick: () => page(lk) }, t('common.more')) : null);
        }
        status.textContent = t('events.shown', { n: fmtNumber(rows.length) }) + (narrowed ? ` · ${t('events.narrowed')}` : '');
    }

    async function page(lk) {
        try {
            const r = await fetchPage(query, cursor, ctl.signal);
            rows.push(...r.events);
            cursor = r.next_cursor;
            narrowed = r.narrowed;
            paint(lk);
        } catch (e) {
            if (e.name !== 'AbortError') clear(body, stateBox('error', e.status === 400 && (query.q || query.app_proto) ? t('alerts.filter_unsupported') : errorText(e)));
        }
    }

    loadLookups().then(page).catch((e) => {
        forgetLookups();
        if (e.name !== 'AbortError') clear(body, stateBox('error', errorText(e)));
    });
    return () => ctl.abort();
}
