// orgs.js — organisations and sensors: the tree (city → district → organisation) of the
// caller's subtree, each node with its sensors and event/alert counts (GET /stats/orgs when
// the hub has it). Admins get the forms to add an organisation or a sensor; the other roles
// get none (the API would refuse them: what is shown is what is allowed).
import { get, post, tryGet } from './api.js';
import { forgetLookups } from './lookups.js';
import { clear, errorText, fmtAge, h, stateBox } from './dom.js';
import { fmtNumber, t } from './i18n.js';

const RANK = { viewer: 1, analyst: 2, admin: 3 };
const num = (o, k) => (o && typeof o[k] === 'number' ? o[k] : 0);
export const canAdmin = (me) => me && me.user && RANK[me.user.role] >= RANK.admin;

function buildTree(orgs) {
    const byId = new Map(orgs.map((o) => [o.id, { ...o, children: [] }]));
    const roots = [];
    for (const o of byId.values()) {
        const p = o.parent_id && byId.get(o.parent_id);
        if (p) p.children.push(o);
        else roots.push(o);
    }
    const sort = (l) => { l.sort((a, b) => a.name.localeCompare(b.name)); l.forEach((x) => sort(x.children)); };
    sort(roots);
    return roots;
}

export function render(root, ctx) {
    const ctl = new AbortController();
    const admin = canAdmin(ctx.me);
    const body = h('div', { id: 'org-body' }, stateBox('loading', t('common.loading')));
    const forms = h('div', { id: 'org-forms' });
    clear(root, h('div', { class: 'toolbar' }, h('h1', {}, t('nav.orgs'))), body, forms);

    async function load() {
        const to = Date.now() * 1000;
        const [o, s, st] = await Promise.all([
            get('/orgs', {}, { signal: ctl.signal }),
            get('/sensors', {}, { signal: ctl.signal }),
            tryGet('/stats/orgs', { from: to - 86400e6, to }, { signal: ctl.signal }).catch(() => null),
        ]);
        // /stats/orgs counts each organisation's own events: a node shows its subtree's sum
        const own = new Map(((st && st.orgs) || []).map((x) => [x.id, x]));
        const counts = new Map();
        const total = (n) => {
            const c = { events: num(own.get(n.id), 'events'), alerts: num(own.get(n.id), 'alerts') };
            for (const k of n.children) {
                const kc = total(k);
                c.events += kc.events;
                c.alerts += kc.alerts;
            }
            if (st) counts.set(n.id, c);
            return c;
        };
        const sensorsOf = new Map();
        for (const x of s.sensors) {
            if (!sensorsOf.has(x.org_id)) sensorsOf.set(x.org_id, []);
            sensorsOf.get(x.org_id).push(x);
        }
        const health = new Map(((st && st.sensors) || []).map((x) => [x.id, x]));
        const node = (n) => {
            const c = counts.get(n.id);
            const sens = sensorsOf.get(n.id) || [];
            return h('li', { class: `org org-${n.kind}`, dataset: { org: n.name } },
                h('div', { class: 'org-row' },
                    h('span', { class: 'org-kind' }, t(`kind.${n.kind}`)),
                    h('a', { class: 'org-name', href: `/alerts?org_id=${n.id}` }, n.name),
                    (n.tags || []).map((tag) => h('span', { class: 'tag' }, tag)),
                    h('span', { class: 'org-counts muted' },
                        t('orgs.counts', { sensors: sens.length, events: c ? fmtNumber(c.events) : '–', alerts: c ? fmtNumber(c.alerts) : '–' }))),
                sens.length ? h('ul', { class: 'sensors' }, sens.map((x) => {
                    const hs = health.get(x.id);
                    return h('li', { class: 'sensor', dataset: { sensor: x.name } }, h('span', { class: 'sensor-name' }, x.name),
                        hs ? h('span', { class: 'muted' }, ` · ${t('orgs.last_seen', { age: fmtAge(hs.last_seen_us) })}`) : null);
                })) : null,
                n.children.length ? h('ul', {}, n.children.map(node)) : null);
        };
        const roots = buildTree(o.orgs);
        roots.forEach(total);
        clear(body, roots.length ? h('ul', { class: 'org-tree', id: 'org-tree' }, roots.map(node)) : stateBox('empty', t('orgs.none')),
            st ? null : h('p', { class: 'muted' }, t('orgs.no_counts')));
        if (admin) clear(forms, adminForms(o.orgs, load));
    }

    load().catch((e) => { if (e.name !== 'AbortError') clear(body, stateBox('error', errorText(e))); });
    return () => ctl.abort();
}

function adminForms(orgs, reload) {
    const field = (key, input) => h('label', { class: 'field' }, h('span', {}, t(key)), input);
    const orgSel = (name) => h('select', { name, required: true }, orgs.map((o) => h('option', { value: o.id }, o.name)));
    const msg = h('div', { id: 'org-msg', role: 'status' });
    const orgForm = h('form', { class: 'filters', id: 'org-add' },
        h('h2', {}, t('orgs.add_org')),
        field('orgs.name', h('input', { name: 'name', required: true, maxlength: '128' })),
        field('orgs.kind', h('select', { name: 'kind' }, ['org', 'district', 'city'].map((k) => h('option', { value: k }, t(`kind.${k}`))))),
        field('orgs.parent', orgSel('parent_id')),
        field('orgs.tags', h('input', { name: 'tags', pattern: '[a-z0-9_,-]*' })),
        h('div', { class: 'field actions' }, h('button', { type: 'submit' }, t('orgs.create'))));
    orgForm.addEventListener('submit', async (e) => {
        e.preventDefault();
        const f = new FormData(orgForm);
        const body = { name: f.get('name'), kind: f.get('kind'), parent_id: Number(f.get('parent_id')) };
        if (f.get('tags')) body.tags = f.get('tags');
        try {
            await post('/orgs', body);
            forgetLookups();
            clear(msg, stateBox('ok', t('orgs.created', { name: body.name })));
            await reload();
        } catch (err) {
            clear(msg, stateBox('error', err.status === 409 ? t('orgs.taken') : errorText(err)));
        }
    });
    const sensorForm = h('form', { class: 'filters', id: 'sensor-add' },
        h('h2', {}, t('orgs.add_sensor')),
        field('orgs.name', h('input', { name: 'name', required: true, maxlength: '64' })),
        field('orgs.org', orgSel('org_id')),
        h('div', { class: 'field actions' }, h('button', { type: 'submit' }, t('orgs.create'))));
    sensorForm.addEventListener('submit', async (e) => {
        e.preventDefault();
        const f = new FormData(sensorForm);
        try {
            const r = await post('/sensors', { name: f.get('name'), org_id: Number(f.get('org_id')) });
            forgetLookups();
            clear(msg, h('div', { class: 'state state-ok' }, h('p', {}, t('orgs.sensor_created', { name: r.sensor.name })),
                h('p', {}, t('orgs.shown_once')),
                h('label', {}, t('orgs.token')), h('pre', { class: 'secret' }, r.token || ''),
                r.private_key ? [h('label', {}, t('orgs.private_key')), h('pre', { class: 'secret' }, r.private_key)] : null));
            await reload();
        } catch (err) {
            clear(msg, stateBox('error', err.status === 409 ? t('orgs.taken') : errorText(err)));
        }
    });
    return h('div', { class: 'admin-forms' }, orgForm, sensorForm, msg);
}
