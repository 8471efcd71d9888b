// api.js — the hub's public API (docs/api/openapi.yaml), nothing else. The session id from
// POST /auth/login is kept in sessionStorage (a tab's life) and sent as a bearer token.

const KEY = 'citysoc.session';

export class ApiError extends Error {
    constructor(status, code, message) {
        super(message || code || String(status));
        this.status = status;
        this.code = code || '';
    }
}

export const session = {
    get token() { return sessionStorage.getItem(KEY) || ''; },
    set(token) { sessionStorage.setItem(KEY, token); },
    clear() { sessionStorage.removeItem(KEY); },
};

let onUnauthenticated = () => {};
export function setUnauthenticatedHandler(fn) { onUnauthenticated = fn; }

// Builds "path?k=v&…" from an object, leaving out empty values.
export function qs(path, params = {}) {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
        if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
    const s = u.toString();
    return s ? `${path}?${s}` : path;
}

export async function api(method, path, body, { signal } = {}) {
    const headers = {};
    if (session.token) headers.Authorization = `Bearer ${session.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let r;
    try {
        r = await fetch(`/api/v1${path}`, {
            method, headers, signal,
            body: body === undefined ? undefined : JSON.stringify(body),
        });
    } catch (e) {
        if (e.name === 'AbortError') throw e;
        throw new ApiError(0, 'network', e.message);
    }
    if (r.status === 204) return null;
    let data = null;
    try { data = await r.json(); } catch { data = null; }
    if (!r.ok) {
        const err = data && data.error ? data.error : {};
        if (r.status === 401 && path !== '/auth/login') onUnauthenticated();
        throw new ApiError(r.status, err.code, err.message);
    }
    return data;
}

export const get = (path, params, opts) => api('GET', qs(path, params), undefined, opts);
export const post = (path, body) => api('POST', path, body);

// Whether the hub knows a route (the overview and aggregation endpoints arrive later than
// the console; the screens fall back while they are missing). Remembered per page load.
const known = new Map();
export async function tryGet(path, params, opts) {
    if (known.get(path) === false) return null;
    try {
        const d = await get(path, params, opts);
        known.set(path, true);
        return d;
    } catch (e) {
        if (e.status === 404 && e.code === 'not_found' && !known.get(path)) {
            known.set(path, false);
            return null;
        }
        throw e;
    }
}
