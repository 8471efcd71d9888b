// overview.js — the situation overview (the wall screen): totals, alerts over time by
// severity, top signatures and addresses, protocol mix, industrial operations, sensors'
// health, organisations ranked by alerts, and a live ticker of high-severity alerts.
// Data: GET /stats/overview; while a hub lacks it, the same panels are computed from the
// newest events (and marked as a sample). Refreshes every 30 s, the ticker every 10 s.
// The page fills the viewport and never scrolls (a wall screen): panels share the height,
// rank tables show the rows that fit; ?wall=1 hides the navigation (the wall mode).
import { get, tryGet } from './api.js';
import { baseOption, chartsReady, disposeChart, draw, hasCharts, makeChart, SEV_COLORS } from './charts.js';
import { clear, errorText, fmtAge, fmtTime, h, sevClass, stateBox } from './dom.js';
import { fmtNumber, t, tOr } from './i18n.js';

const RANGES = [['1h', 3600], ['24h', 86400], ['7d', 7 * 86400], ['30d', 30 * 86400]];
// ?refresh=ms and ?tick=ms change the intervals (a wall may want them slower; tests faster)
const REFRESH_MS = Number(new URLSearchParams(location.search).get('refresh')) || 30000;
const TICKER_MS = Number(new URLSearchParams(location.search).get('tick')) || 10000;
const ICS_PROTOS = new Set(['modbus', 'dnp3', 'iec104', 'iec-104', 's7comm', 's7', 'enip', 'bacnet', 'opcua']);

// ---- data ----------------------------------------------------------------------------

const num = (v) => (typeof v === 'number' ? v : Number(v) || 0);
const arr = (v) => (Array.isArray(v) ? v : []);

// The hub's overview object (GET /stats/overview) -> the shape the panels draw. Times
// come as ISO strings ("ts", "last_seen"); a sensor without stats has packets null.
const isoUs = (v) => (v ? Date.parse(v) * 1000 || 0 : 0);
export function fromStats(s) {
    const tot = s.totals || s;
    const sevOf = (p) => {
        const b = p.by_severity || {};
        return [1, 2, 3, 4].map((i) => num(b[i]));
    };
    return {
        sample: 0,
        events: num(tot.events), alerts: num(tot.alerts),
        points: arr(s.alerts_over_time).map((p) => ({ ts_us: p.ts_us ?? isoUs(p.ts), sev: sevOf(p) })),
        sigs: arr(s.top_signatures).map((x) => ({ ...x, severity: x.severity ?? -1, count: num(x.count) })),
        src: arr(s.top_src).map((x) => ({ ip: x.ip, count: num(x.count) })),
        dest: arr(s.top_dest).map((x) => ({ ip: x.ip, count: num(x.count) })),
        protos: arr(s.protocols).map((x) => ({ name: x.app_proto, count: num(x.count) })),
        ics: arr(s.ics).map((x) => ({ app_proto: x.app_proto, op: x.op, count: num(x.count) })),
        sensors: arr(s.sensors).map((x) => ({
            ...x, last_seen_us: x.last_seen_us ?? isoUs(x.last_seen), packets: x.packets ?? -1, drops: x.drops ?? -1 })),
        orgs: arr(s.orgs).filter((x) => num(x.alerts) > 0).map((x) => ({ ...x, alerts: num(x.alerts), events: num(x.events) })),
    };
}

async function pages(params, max, signal) {
    const out = [];
    let cursor = '';
    out.more = false;
    for (let i = 0; i < max; i++) {
        const r = await get('/events', { ...params, limit: 1000, cursor }, { signal });
        out.push(...r.events);
        if (!r.next_cursor) break;
        cursor = r.next_cursor;
        out.more = i === max - 1;
    }
    return out;
}

const top = (map, n) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
const bump = (m, k, by = 1) => m.set(k, (m.get(k) || 0) + by);

// Without /stats/overview: the panels from the newest alerts and events of the range.
async function fromEvents(from, to, signal) {
    const range = { from, to };
    const [al, ev, sensors, orgs] = await Promise.all([
        pages({ ...range, event_type: 'alert' }, 5, signal),
        pages(range, 2, signal),
        get('/sensors', {}, { signal }),
        get('/orgs', {}, { signal }),
    ]);
    const span = to - from;
    const bucket = span <= 3600e6 ? 60e6 : span <= 86400e6 ? 1800e6 : 3600e6 * (span <= 7 * 86400e6 ? 3 : 12);
    const points = new Map();
    for (let b = Math.floor(from / bucket) * bucket; b < to; b += bucket) points.set(b, [0, 0, 0, 0]);
    const sigs = new Map(), sigInfo = new Map(), src = new Map(), dest = new Map(), byOrg = new Map();
    for (const e of al) {
        const b = Math.floor(e.ts_us / bucket) * bucket;
        const s = e.alert && e.alert.severity >= 1 && e.alert.severity <= 4 ? e.alert.severity : 3;
        if (points.has(b)) points.get(b)[s - 1]++;
        if (e.alert) {
            bump(sigs, e.alert.signature_id);
            sigInfo.set(e.alert.signature_id, e.alert);
        }
        if (e.src_ip) bump(src, e.src_ip);
        if (e.dest_ip) bump(dest, e.dest_ip);
        bump(byOrg, e.org_id);
    }
    const protos = new Map(), ics = new Map(), seen = new Map();
    for (const e of ev) {
        bump(protos, e.app_proto || 'none');
        const ap = (e.app_proto || '').toLowerCase();
        if (ICS_PROTOS.has(ap)) bump(ics, ap);
        if (!seen.has(e.sensor_id) || seen.get(e.sensor_id) < e.ts_us) seen.set(e.sensor_id, e.ts_us);
    }
    const orgName = new Map(orgs.orgs.map((o) => [o.id, o]));
    return {
        sample: al.more || ev.more ? al.length + ev.length : 0,
        events: ev.length, alerts: al.length, eventsMore: ev.more, alertsMore: al.more,
        points: [...points.entries()].map(([ts_us, sev]) => ({ ts_us, sev })),
        sigs: top(sigs, 10).map(([id, count]) => ({
            signature_id: id, signature: sigInfo.get(id).signature, severity: sigInfo.get(id).severity, count })),
        src: top(src, 10).map(([ip, count]) => ({ ip, count })),
        dest: top(dest, 10).map(([ip, count]) => ({ ip, count })),
        protos: top(protos, 12).map(([name, count]) => ({ name, count })),
        ics: top(ics, 12).map(([app_proto, count]) => ({ app_proto, op: '', count })),
        sensors: sensors.sensors.map((s) => ({ ...s, last_seen_us: seen.get(s.id) || 0, packets: -1, drops: -1 })),
        orgs: top(byOrg, 10).map(([id, alerts]) => ({ id, alerts, name: (orgName.get(id) || {}).name || `#${id}` })),
    };
}

export async function loadOverview(from, to, signal) {
    const s = await tryGet('/stats/overview', { from, to }, { signal });
    return s ? fromStats(s) : fromEvents(from, to, signal);
}

// ---- panels --------------------------------------------------------------------------

function panel(key, body, extra) {
    return h('section', { class: `panel panel-${key}` },
        h('h2', {}, t(`overview.${key}`), extra || null), body);
}

const RANK_ROWS = 8;
function rankTable(all, cols, emptyKey) {
    const rows = all.slice(0, RANK_ROWS);
    if (!rows.length) return stateBox('empty', t(emptyKey || 'common.no_data'));
    return h('div', { class: 'rank-box' }, h('table', { class: 'rank' },
        h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => h('td', { class: c.cls || '' }, c.cell(r))))))));
}

// Hides the rank rows that do not fit their panel (whole rows, not half ones).
function fitRows(grid) {
    for (const box of grid.querySelectorAll('.rank-box')) {
        const rows = box.querySelectorAll('tr');
        rows.forEach((tr) => { tr.hidden = false; });
        const bottom = box.getBoundingClientRect().bottom;
        rows.forEach((tr, i) => { if (i > 0 && tr.getBoundingClientRect().bottom > bottom + 0.5) tr.hidden = true; });
    }
}

const ipLink = (ip) => h('a', { href: `/events?ip=${encodeURIComponent(ip)}` }, ip);

// The wall mode: no navigation chrome, full screen when the browser allows it.
function setWall(on) {
    document.body.classList.toggle('wall', on);
    if (on && document.documentElement.requestFullscreen && !document.fullscreenElement)
        document.documentElement.requestFullscreen().catch(() => { /* not from a gesture */ });
    if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
}

export function render(root, ctx) {
    const ctl = new AbortController();
    let timer = 0, tickTimer = 0, charts = [], firstDrawn = false;
    const range = ctx.params.get('range') || '24h';
    const fixedFrom = Number(ctx.params.get('from')) || 0;
    const fixedTo = Number(ctx.params.get('to')) || 0;
    const rangeSel = h('select', { id: 'ov-range', 'aria-label': t('overview.range') },
        RANGES.map(([k]) => h('option', { value: k, selected: k === range && !fixedFrom }, t(`range.${k}`))),
        fixedFrom ? h('option', { value: '', selected: true }, t('range.custom')) : null);
    rangeSel.addEventListener('change', () => ctx.navigate(`/?range=${rangeSel.value}`, true));
    const updated = h('span', { class: 'muted', id: 'ov-updated' });
    const wall = ctx.params.get('wall') === '1';
    const wallBtn = h('button', { type: 'button', class: 'ghost', id: 'ov-wall' }, t(wall ? 'overview.wall_exit' : 'overview.wall'));
    wallBtn.addEventListener('click', () => {
        const p = new URLSearchParams(location.search);
        if (wall) p.delete('wall'); else p.set('wall', '1');
        setWall(!wall);
        ctx.navigate(`/${p.toString() ? `?${p}` : ''}`, true);
    });
    document.body.classList.add('ov');
    document.body.classList.toggle('wall', wall);
    const grid = h('div', { class: 'ov-grid', id: 'ov-grid' }, stateBox('loading', t('common.loading')));
    const ticker = h('ol', { class: 'ticker', id: 'ov-ticker', 'aria-live': 'polite' });
    clear(root,
        h('div', { class: 'toolbar' }, h('h1', {}, t('nav.overview')), rangeSel, updated, h('span', { class: 'spacer' }), wallBtn),
        h('div', { class: 'ov-layout' }, grid,
            h('aside', { class: 'panel panel-ticker' }, h('h2', {}, t('overview.ticker')), ticker)));

    function span() {
        if (fixedFrom && fixedTo > fixedFrom) return [fixedFrom, fixedTo];
        const secs = (RANGES.find(([k]) => k === range) || RANGES[1])[1];
        const to = Date.now() * 1000;
        return [to - secs * 1e6, to];
    }

    // pending: the data already asked for (the first load asks before ECharts has run, so
    // the hub works while the browser parses the chart library).
    async function refresh(pending) {
        let d;
        try {
            if (pending) d = await pending;
            else d = await loadOverview(...span(), ctl.signal);
            await chartsReady;
        } catch (e) {
            if (e.name === 'AbortError') return;
            if (!firstDrawn) clear(grid, stateBox('error', errorText(e)));
            else updated.textContent = `${t('overview.stale')} · ${errorText(e)}`;
            timer = setTimeout(refresh, REFRESH_MS);
            return;
        }
        await paint(d);
        updated.textContent = t('overview.updated', { time: fmtTime(Date.now() * 1000, false) }) +
            (d.sample ? ` · ${t('overview.sampled', { n: fmtNumber(d.sample) })}` : '');
        if (!firstDrawn) {
            firstDrawn = true;
            performance.mark('citysoc-overview-drawn');
            document.body.dataset.overview = 'drawn';
        }
        timer = setTimeout(refresh, REFRESH_MS);
    }

    async function paint(d) {
        charts.forEach(disposeChart);
        charts = [];
        const sev1 = d.points.reduce((a, p) => a + p.sev[0], 0);
        // more: the number is a lower bound (the fallback read only the newest events)
        const kpi = (key, v, cls = '', more = false) => h('div', { class: `kpi ${cls}`, dataset: { kpi: key } },
            h('div', { class: 'kpi-value' }, typeof v === 'number' ? fmtNumber(v) + (more ? '+' : '') : v),
            h('div', { class: 'kpi-label' }, t(`overview.kpi.${key}`)));
        const online = d.sensors.filter((s) => s.last_seen_us && Date.now() * 1000 - s.last_seen_us < 900e6).length;
        const timeEl = h('div', { class: 'chart', id: 'chart-time' });
        const protoEl = h('div', { class: 'chart', id: 'chart-proto' });
        const orgEl = h('div', { class: 'chart', id: 'chart-orgs' });
        clear(grid,
            h('div', { class: 'kpis' }, kpi('events', d.events, '', d.eventsMore), kpi('alerts', d.alerts, '', d.alertsMore),
                kpi('sev1', sev1, 'sev1', d.alertsMore), kpi('sensors', `${fmtNumber(online)} / ${fmtNumber(d.sensors.length)}`)),
            panel('over_time', timeEl),
            panel('protocols', d.protos.length ? protoEl : stateBox('empty', t('common.no_data'))),
            panel('top_signatures', rankTable(d.sigs, [
                { cls: 'n', cell: (r) => fmtNumber(r.count) },
                { cell: (r) => h('span', { class: sevClass(r.severity) }, r.severity > 0 ? String(r.severity) : '–') },
                { cls: 'grow', cell: (r) => h('a', { href: `/alerts?signature_id=${r.signature_id}`, title: r.signature || '' }, r.signature || `#${r.signature_id}`) },
            ], 'overview.no_alerts')),
            panel('top_src', rankTable(d.src, [{ cls: 'n', cell: (r) => fmtNumber(r.count) }, { cls: 'grow', cell: (r) => ipLink(r.ip) }], 'overview.no_alerts')),
            panel('top_dest', rankTable(d.dest, [{ cls: 'n', cell: (r) => fmtNumber(r.count) }, { cls: 'grow', cell: (r) => ipLink(r.ip) }], 'overview.no_alerts')),
            panel('ics', rankTable(d.ics, [
                { cls: 'n', cell: (r) => fmtNumber(r.count) },
                { cell: (r) => r.app_proto },
                { cls: 'grow', cell: (r) => (r.op ? tOr(`ics.op.${r.op}`, r.op) : t('ics.op.any')) },
            ], 'overview.no_ics')),
            panel('orgs', d.orgs.length ? orgEl : stateBox('empty', t('overview.no_alerts'))),
            // the least recently seen first: a wall screen shows the problems
            panel('sensors', rankTable([...d.sensors].sort((a, b) => (a.last_seen_us || 0) - (b.last_seen_us || 0)), [
                { cell: (r) => h('span', { class: r.last_seen_us && Date.now() * 1000 - r.last_seen_us < 900e6 ? 'dot ok' : 'dot stale' }) },
                { cls: 'grow', cell: (r) => r.name },
                { cls: 'nowrap', cell: (r) => fmtAge(r.last_seen_us) },
                // packets, and drops only when there are some (the wall shows problems)
                { cls: 'n small', cell: (r) => [r.packets >= 0 ? t('overview.packets', { n: fmtNumber(r.packets) }) : '–',
                    r.drops > 0 ? h('span', { class: 'drops' }, ` · ${t('overview.drops', { n: fmtNumber(r.drops) })}`) : null] },
            ], 'overview.no_sensors')));
        fitRows(grid);
        if (!hasCharts()) {
            makeChart(timeEl);
            if (d.protos.length) makeChart(protoEl);
            if (d.orgs.length) makeChart(orgEl);
            return;
        }
        const waits = [];
        const c1 = makeChart(timeEl);
        charts.push(c1);
        const o1 = baseOption();
        waits.push(draw(c1, {
            ...o1,
            xAxis: { type: 'time', axisLabel: { color: o1._p.muted, fontSize: o1._fs }, axisLine: { lineStyle: { color: o1._p.grid } } },
            yAxis: { type: 'value', minInterval: 1, axisLabel: { color: o1._p.muted, fontSize: o1._fs }, splitLine: { lineStyle: { color: o1._p.grid } } },
            series: [0, 1, 2, 3].map((i) => ({
                name: t(`severity.${i + 1}`), type: 'line', stack: 'sev', areaStyle: { opacity: 0.35 },
                showSymbol: false, color: SEV_COLORS[i],
                data: d.points.map((p) => [p.ts_us / 1000, p.sev[i]]),
            })),
        }));
        if (d.protos.length) {
            const c2 = makeChart(protoEl);
            charts.push(c2);
            const o2 = baseOption();
            waits.push(draw(c2, {
                ...o2, tooltip: { trigger: 'item' }, legend: { show: false },
                series: [{ type: 'pie', radius: ['40%', '70%'], label: { color: o2._p.fg, fontSize: o2._fs },
                    data: d.protos.map((p) => ({ name: p.name === 'none' ? t('overview.proto_none') : p.name, value: p.count })) }],
            }));
        }
        if (d.orgs.length) {
            const c3 = makeChart(orgEl);
            charts.push(c3);
            const o3 = baseOption();
            const rows = d.orgs.slice(0, 8).reverse();
            waits.push(draw(c3, {
                ...o3, legend: { show: false }, grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
                xAxis: { type: 'value', minInterval: 1, axisLabel: { color: o3._p.muted, fontSize: o3._fs }, splitLine: { lineStyle: { color: o3._p.grid } } },
                yAxis: { type: 'category', data: rows.map((o) => o.name), axisLabel: { color: o3._p.fg, fontSize: o3._fs } },
                series: [{ type: 'bar', name: t('overview.kpi.alerts'), data: rows.map((o) => o.alerts), color: '#ff9f43', barMaxWidth: 28 }],
            }));
        }
        await Promise.all(waits);
    }

    // The ticker: the newest high-severity alerts once, then only what arrived since
    // (GET /events?since_id=…: oldest first, a poll costs what it returns); a hub without
    // since_id is asked for the newest ones again each time.
    const TICKER_ROWS = 12;
    const alertQ = { event_type: 'alert', severity_max: 1 };
    let shown = [], sinceId = 0, polling = true, primed = false;
    const item = (e, fresh) => h('li', { class: fresh ? 'new' : '', dataset: { id: String(e.id) } },
        h('time', {}, fmtTime(e.ts_us)),
        h('a', { href: `/alerts/${e.id}` }, e.alert ? e.alert.signature : e.event_type),
        h('span', { class: 'muted' }, `${e.src_ip || ''} → ${e.dest_ip || ''}`));
    async function tick() {
        try {
            let fresh = [];
            if (sinceId <= 0 || !polling) {
                const r = await get('/events', { ...alertQ, limit: TICKER_ROWS }, { signal: ctl.signal });
                fresh = primed ? r.events.filter((e) => e.id > sinceId) : [];
                shown = r.events;
                primed = true;
                if (r.events.length) sinceId = Math.max(sinceId, r.events[0].id);
            } else {
                try {
                    const r = await get('/events', { ...alertQ, since_id: sinceId, limit: 100 }, { signal: ctl.signal });
                    fresh = r.events.slice().reverse(); // oldest first -> newest first
                    if (r.last_id) sinceId = r.last_id;
                    else if (fresh.length) sinceId = fresh[0].id;
                    shown = [...fresh, ...shown].slice(0, TICKER_ROWS);
                } catch (e) {
                    if (e.status !== 400) throw e;
                    polling = false; // an older hub: no since_id
                }
            }
            const isNew = new Set(fresh.map((e) => e.id));
            if (shown.length) clear(ticker, shown.map((e) => item(e, isNew.has(e.id))));
            else clear(ticker, h('li', { class: 'muted' }, t('overview.ticker_empty')));
        } catch (e) {
            if (e.name === 'AbortError') return;
            clear(ticker, h('li', { class: 'state-error' }, errorText(e)));
        }
        tickTimer = setTimeout(tick, TICKER_MS);
    }

    const onTheme = () => { if (firstDrawn) { clearTimeout(timer); refresh(); } };
    window.addEventListener('citysoc-theme', onTheme);
    const onResize = () => fitRows(grid);
    window.addEventListener('resize', onResize);
    // Esc leaves the browser's full screen: leave the wall mode with it
    const onFs = () => { if (!document.fullscreenElement && wall) wallBtn.click(); };
    document.addEventListener('fullscreenchange', onFs);
    // The data and the ticker are asked for at once; the first paint waits for ECharts
    // (chartsReady).
    const first = loadOverview(...span(), ctl.signal);
    first.catch(() => {}); // refresh() reports it
    refresh(first);
    tick();
    return () => {
        ctl.abort();
        clearTimeout(timer);
        clearTimeout(tickTimer);
        window.removeEventListener('citysoc-theme', onTheme);
        window.removeEventListener('resize', onResize);
        document.removeEventListener('fullscreenchange', onFs);
        document.body.classList.remove('ov', 'wall');
        charts.forEach(disposeChart);
    };
}
