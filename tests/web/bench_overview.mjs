// bench_overview.mjs — loads the overview RUNS times in chromium and prints the browser's
// own time from navigation start to "citysoc-overview-drawn" (see bench/console_overview.sh).
// env: BASE, USER_NAME, PW, RUNS, RANGE (the overview's range: 1h, 24h, 7d, 30d; default 24h).
import { launch, loginAs } from './pw.mjs';

const { BASE, USER_NAME, PW } = process.env;
const RUNS = Number(process.env.RUNS || 7);
const RANGE = process.env.RANGE || '24h';
const browser = await launch();
try {
    const { page } = await loginAs(browser, BASE, USER_NAME, PW, { viewport: { width: 1920, height: 1080 } });
    const times = [];
    for (let i = 0; i < RUNS; i++) {
        await page.goto(`${BASE}/?range=${RANGE}`); // a fresh document: navigation timing starts again
        await page.waitForSelector('body[data-overview="drawn"]', { timeout: 120000 });
        const m = await page.evaluate(() => {
            const mark = performance.getEntriesByName('citysoc-overview-drawn')[0];
            const api = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/v1/stats/overview') || r.name.includes('/api/v1/events'));
            const ov = performance.getEntriesByType('resource').find((r) => r.name.includes('/api/v1/stats/overview'));
            const nav = performance.getEntriesByType('navigation')[0];
            return {
                ovStart: ov ? ov.startTime : NaN, ovEnd: ov ? ov.responseEnd : NaN,
                dcl: nav ? nav.domContentLoadedEventEnd : NaN,
                drawn: mark ? mark.startTime : NaN,
                api: api.length ? Math.max(...api.map((r) => r.responseEnd - r.startTime)) : NaN,
                alerts: document.querySelector('[data-kpi="alerts"] .kpi-value')?.textContent,
                events: document.querySelector('[data-kpi="events"] .kpi-value')?.textContent,
                sampled: /\d/.test(document.getElementById('ov-updated')?.textContent.split('·')[1] || ''),
            };
        });
        times.push(m.drawn);
        console.log(`run ${i + 1}: overview drawn at ${m.drawn.toFixed(0)} ms (slowest API call ${m.api.toFixed(0)} ms; events ${m.events}, alerts ${m.alerts}${m.sampled ? ', SAMPLED: this hub has no /stats/overview' : ''})`);
        // where the time goes: the document's scripts, then the data, then the drawing
        console.log(`       DOMContentLoaded ${m.dcl.toFixed(0)} ms, /stats/overview sent ${m.ovStart.toFixed(0)} ms, received ${m.ovEnd.toFixed(0)} ms`);
    }
    const s = [...times].sort((a, b) => a - b);
    console.log(`overview render (${RANGE}): min ${s[0].toFixed(0)} ms, median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms over ${s.length} loads`);
} finally {
    await browser.close();
}
