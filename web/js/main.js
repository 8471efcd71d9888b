// main.js — the console's shell: login, the session's user (/me), routing between the
// screens (history API: /, /alerts, /alerts/<id>, /events, /events/<id>, /orgs), language
// and theme switches.
import { api, post, session, setUnauthenticatedHandler } from './api.js';
import { applyI18n, currentLang, loadLang, savedLang, t } from './i18n.js';
import { clear, errorText, stateBox, timeZone } from './dom.js';
import { forgetLookups } from './lookups.js';
import * as overview from './overview.js';
import * as alerts from './alerts.js';
import * as events from './events.js';
import * as orgs from './orgs.js';

const routes = [
    { name: 'overview', re: /^\/$/, view: overview },
    { name: 'alerts', re: /^\/alerts(?:\/(\d+))?$/, view: alerts },
    { name: 'events', re: /^\/events(?:\/(\d+))?$/, view: events },
    { name: 'orgs', re: /^\/orgs$/, view: orgs },
];

const $ = (id) => document.getElementById(id);
const ctx = { me: null, navigate, cleanup: null };

export function navigate(url, replace = false) {
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    render();
}

function render() {
    if (ctx.cleanup) { try { ctx.cleanup(); } catch { /* a view's own problem */ } }
    ctx.cleanup = null;
    const path = location.pathname;
    const route = routes.find((r) => r.re.test(path));
    for (const a of document.querySelectorAll('#nav a'))
        a.classList.toggle('active', route && a.dataset.route === route.name);
    const view = $('view');
    if (!route) {
        clear(view, stateBox('empty', t('error.no_page')));
        return;
    }
    const m = path.match(route.re);
    document.title = `${t(`nav.${route.name}`)} · ${t('app.name')}`;
    ctx.cleanup = route.view.render(view, {
        ...ctx, id: m[1] ? Number(m[1]) : null, params: new URLSearchParams(location.search),
    }) || null;
}

function showLogin() {
    if (ctx.cleanup) ctx.cleanup();
    ctx.cleanup = null;
    ctx.me = null;
    forgetLookups(); // the next user has another scope
    clear($('view'));
    $('app').hidden = true;
    $('boot').hidden = true;
    $('login').hidden = false;
    $('login-user').focus();
}

// me: the /me request when boot() already sent it (in parallel with the language file).
async function start(me) {
    $('boot').hidden = false;
    try {
        ctx.me = await (me || api('GET', '/me'));
    } catch (e) {
        if (e.status === 401 || !session.token) return showLogin();
        clear($('boot'), errorText(e));
        $('boot').className = 'state state-error';
        return;
    }
    $('boot').hidden = true;
    $('login').hidden = true;
    $('app').hidden = false;
    const u = ctx.me.user || {};
    clear($('who'), `${u.name} · ${t(`role.${u.role}`)} · ${ctx.me.org ? ctx.me.org.name : ''}`);
    $('who').dataset.role = u.role || '';
    $('tz').textContent = t('common.timezone', { tz: timeZone() });
    render();
}

async function onLogin(ev) {
    ev.preventDefault();
    const err = $('login-error');
    err.hidden = true;
    $('login-submit').disabled = true;
    try {
        const r = await post('/auth/login', { username: $('login-user').value, password: $('login-pass').value });
        session.set(r.token);
        $('login-pass').value = '';
        await start();
    } catch (e) {
        err.textContent = e.status === 401 ? t('login.failed')
            : e.status === 429 ? t('login.throttled') : errorText(e);
        err.hidden = false;
    } finally {
        $('login-submit').disabled = false;
    }
}

async function logout() {
    try { await post('/auth/logout'); } catch { /* the session may be gone already */ }
    session.clear();
    showLogin();
}

async function setLang(l) {
    await loadLang(l);
    applyI18n();
    $('lang-select').value = currentLang();
    if (ctx.me) {
        const u = ctx.me.user || {};
        clear($('who'), `${u.name} · ${t(`role.${u.role}`)} · ${ctx.me.org ? ctx.me.org.name : ''}`);
        $('tz').textContent = t('common.timezone', { tz: timeZone() });
        render();
    }
}

function setTheme(theme) {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('citysoc.theme', theme);
    window.dispatchEvent(new Event('citysoc-theme'));
}

async function boot() {
    setTheme(localStorage.getItem('citysoc.theme') || 'dark');
    // who we are and the messages, asked for together (not one after the other)
    const me = session.token ? api('GET', '/me') : null;
    if (me) me.catch(() => {}); // start() handles it
    await loadLang(savedLang());
    applyI18n();
    $('lang-select').value = currentLang();
    $('lang-select').addEventListener('change', (e) => setLang(e.target.value));
    for (const b of document.querySelectorAll('[data-lang]'))
        b.addEventListener('click', () => setLang(b.dataset.lang));
    $('theme-toggle').addEventListener('click', () =>
        setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', logout);
    setUnauthenticatedHandler(() => { session.clear(); showLogin(); });
    // Links inside the app navigate without reloading.
    document.addEventListener('click', (e) => {
        const a = e.target.closest('a[href^="/"]');
        if (!a || e.ctrlKey || e.metaKey || e.shiftKey || a.target) return;
        e.preventDefault();
        navigate(a.getAttribute('href'));
    });
    window.addEventListener('popstate', render);
    await start(me);
}

boot();
