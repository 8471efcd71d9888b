// dom.js — small DOM helpers: h() builds elements (text children are data, never markup),
// time formatting in the viewer's local time zone.
import { currentLang, t } from './i18n.js';

export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
        else if (k === 'text') el.textContent = v;
        else el.setAttribute(k, v === true ? '' : v);
    }
    append(el, children);
    return el;
}

function append(el, children) {
    for (const c of children.flat(Infinity)) {
        if (c === undefined || c === null || c === false) continue;
        el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
}

export function clear(el, ...children) {
    el.replaceChildren();
    append(el, children);
    return el;
}

export const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

// Microseconds since the epoch -> "2026-06-12 08:15:03" in local time.
export function fmtTime(us, withDate = true) {
    if (!us && us !== 0) return '–';
    const d = new Date(us / 1000);
    const o = { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
    if (withDate) Object.assign(o, { year: 'numeric', month: '2-digit', day: '2-digit' });
    return new Intl.DateTimeFormat(currentLang(), o).format(d);
}

// "5 min ago" style age for health columns.
export function fmtAge(us) {
    if (!us) return t('common.never');
    const s = Math.max(0, Math.round((Date.now() - us / 1000) / 1000));
    if (s < 90) return t('age.seconds', { n: s });
    if (s < 5400) return t('age.minutes', { n: Math.round(s / 60) });
    if (s < 172800) return t('age.hours', { n: Math.round(s / 3600) });
    return t('age.days', { n: Math.round(s / 86400) });
}

// datetime-local input value <-> µs.
export function localInputToUs(v) { return v ? new Date(v).getTime() * 1000 : ''; }
export function usToLocalInput(us) {
    if (!us) return '';
    const d = new Date(us / 1000);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function sevClass(s) { return s >= 1 && s <= 4 ? `sev sev${s}` : 'sev'; }

// A status line for loading, empty and error states.
export function stateBox(kind, text) {
    return h('div', { class: `state state-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function errorText(e) {
    if (!e) return '';
    if (e.status === 0) return t('error.network');
    if (e.status === 403) return t('error.forbidden');
    if (e.status === 404) return t('error.not_found');
    if (e.status === 503) return t('error.busy');
    return t('error.generic', { status: e.status || '?', message: e.message || '' });
}
