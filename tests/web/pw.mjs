// pw.mjs — playwright-core (from web/node_modules) driving Debian's chromium, shared by the
// console's browser test, the screenshots and the benchmark.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export async function launch() {
    return chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
}

// A new browser context (its own sessionStorage) logged in as user; lang sets the saved
// language before the first page load.
export async function loginAs(browser, base, user, password, { lang, viewport, locale } = {}) {
    const ctx = await browser.newContext({
        viewport: viewport || { width: 1600, height: 900 }, timezoneId: 'Asia/Shanghai', locale: locale || 'zh-CN' });
    if (lang) await ctx.addInitScript((l) => localStorage.setItem('citysoc.lang', l), lang);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto(`${base}/`);
    await page.waitForSelector('#login-form', { state: 'visible' });
    await page.fill('#login-user', user);
    await page.fill('#login-pass', password);
    await page.click('#login-submit');
    await page.waitForSelector('#app', { state: 'visible' });
    return { ctx, page };
}
