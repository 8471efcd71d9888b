// charts.js — ECharts (served by the hub from /vendor/echarts.min.js) with the console's
// colours; when the library is missing the panel says so and the numbers stay in tables.
import { h } from './dom.js';
import { t } from './i18n.js';

export const SEV_COLORS = ['#ff4d4f', '#ff9f43', '#ffd166', '#4fc3f7'];

function palette() {
    const cs = getComputedStyle(document.documentElement);
    return {
        fg: cs.getPropertyValue('--fg').trim() || '#e6edf3',
        muted: cs.getPropertyValue('--muted').trim() || '#8b98a9',
        grid: cs.getPropertyValue('--line').trim() || '#253246',
    };
}

export function hasCharts() { return typeof window.echarts === 'object' && window.echarts !== null; }

// ECharts is loaded "async" (index.html): the console asks the hub for its data while the
// browser parses the library. Resolves once it has run (or failed to load: the panels then
// say that charts are missing).
export const chartsReady = new Promise((resolve) => {
    const el = document.getElementById('echarts-js');
    if (hasCharts() || !el) { resolve(); return; }
    el.addEventListener('load', () => resolve(), { once: true });
    el.addEventListener('error', () => resolve(), { once: true });
});

// Creates a chart in el; returns {chart, drawn: Promise} or null without ECharts.
export function makeChart(el) {
    if (!hasCharts()) {
        el.replaceChildren(h('div', { class: 'state state-empty' }, t('overview.no_charts')));
        return null;
    }
    const chart = window.echarts.init(el, null, { renderer: 'canvas' });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el);
    chart.__ro = ro;
    return chart;
}

export function disposeChart(chart) {
    if (!chart) return;
    if (chart.__ro) chart.__ro.disconnect();
    chart.dispose();
}

// Sets the option and resolves when the chart has finished drawing it.
export function draw(chart, option) {
    return new Promise((resolve) => {
        let done = false;
        const fin = () => { if (!done) { done = true; chart.off('finished', fin); resolve(); } };
        chart.on('finished', fin);
        chart.setOption(option, true);
        setTimeout(fin, 3000); // never hang the page on a missing event
    });
}

// Chart text follows the page's type size (which grows with the viewport on the overview).
export function chartFontSize() {
    return Math.max(13, Math.round(parseFloat(getComputedStyle(document.body).fontSize) * 0.9) || 14);
}

export function baseOption() {
    const p = palette();
    const fs = chartFontSize();
    return {
        backgroundColor: 'transparent',
        textStyle: { color: p.fg, fontSize: fs },
        animation: false,
        grid: { left: 56, right: 16, top: 36, bottom: 32 },
        tooltip: { trigger: 'axis' },
        legend: { textStyle: { color: p.fg, fontSize: fs }, top: 0 },
        _p: p, _fs: fs,
    };
}
