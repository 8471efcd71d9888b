// i18n.js — message files (i18n/<lang>.json); zh-CN by default, English switchable. Every
// visible string goes through t(); markup carries data-i18n="key" (text),
// data-i18n-placeholder, data-i18n-title and data-i18n-aria-label (attributes).

export const LANGS = ['zh-CN', 'en'];
const KEY = 'citysoc.lang';
let lang = LANGS[0];
let messages = {};

export function currentLang() { return lang; }

export async function loadLang(l) {
    if (!LANGS.includes(l)) l = LANGS[0];
    const r = await fetch(`/i18n/${l}.json`);
    if (!r.ok) throw new Error(`i18n ${l}: ${r.status}`);
    messages = await r.json();
    lang = l;
    localStorage.setItem(KEY, l);
    document.documentElement.lang = l;
}

export function savedLang() { return localStorage.getItem(KEY) || LANGS[0]; }

// t('alerts.count', {n: 3}) -> the message with {n} replaced. A missing key shows itself
// (a test checks that none is missing).
export function t(key, vars) {
    let s = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
    return s;
}

export function applyI18n(root = document) {
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const a of ['placeholder', 'title', 'aria-label']) {
        const attr = `data-i18n-${a}`;
        for (const el of root.querySelectorAll(`[${attr}]`)) el.setAttribute(a, t(el.getAttribute(attr)));
    }
}

export function fmtNumber(n) {
    return n === null || n === undefined ? '–' : new Intl.NumberFormat(lang).format(n);
}

// t() for keys made from data (event types, operations): the data itself when no message.
export function tOr(key, fallback) {
    return Object.prototype.hasOwnProperty.call(messages, key) ? t(key) : fallback;
}
