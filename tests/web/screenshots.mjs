// screenshots.mjs — one PNG per main screen (1600x900; the wall mode at 1920x1080) of the
// console over the demo data.
// env: BASE, USER_NAME, PW, OUT. The overview shows the week up to the newest alert (the
// demo's captures are old), the other screens their defaults.
import { launch, loginAs } from './pw.mjs';

const { BASE, USER_NAME, PW, OUT } = process.env;
const browser = await launch();
try {
    const { page } = await loginAs(browser, BASE, USER_NAME, PW);
    const newest = await page.evaluate(async () => {
        const r = await fetch('/api/v1/events?event_type=alert&limit=1', {
            headers: { Authorization: `Bearer ${sessionStorage.getItem('citysoc.session')}` } });
        const d = await r.json();
        return d.events.length ? d.events[0].ts_us : Date.now() * 1000;
    });
    const to = newest + 1e6, from = to - 7 * 86400e6;
    const shot = async (name) => {
        await page.waitForTimeout(300);
        await page.screenshot({ path: `${OUT}/${name}.png` });
        console.log(`${OUT}/${name}.png`);
    };
    await page.goto(`${BASE}/?from=${from}&to=${to}`);
    await page.waitForSelector('body[data-overview="drawn"]', { timeout: 30000 });
    await page.waitForSelector('#ov-ticker li');
    await shot('overview');
    // the wall mode on a 1920x1080 screen
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${BASE}/?from=${from}&to=${to}&wall=1`);
    await page.waitForSelector('body[data-overview="drawn"]', { timeout: 30000 });
    await page.waitForSelector('#ov-ticker li');
    await shot('overview-wall');
    await page.setViewportSize({ width: 1600, height: 900 });
    await page.goto(`${BASE}/alerts`);
    await page.waitForSelector('table.events tbody tr');
    await shot('alerts');
    await page.goto(`${BASE}/alerts?group=signature`);
    await page.waitForSelector('#alert-groups tbody tr');
    await shot('alerts-grouped');
    await page.goto(`${BASE}/alerts`);
    await page.waitForSelector('table.events tbody tr');
    await page.click('table.events tbody tr');
    await page.waitForSelector('#detail');
    await shot('alert-detail');
    const flow = await page.$('[data-pivot="flow"]');
    if (flow) {
        await flow.click();
        await page.waitForSelector('table.events tbody tr, main .state-empty');
        await shot('events-flow');
    }
    await page.goto(`${BASE}/orgs`);
    await page.waitForSelector('#org-tree');
    await shot('orgs');
    await page.selectOption('#lang-select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en'); // saved before the reload
    await page.goto(`${BASE}/?from=${from}&to=${to}`);
    await page.waitForSelector('body[data-overview="drawn"]', { timeout: 30000 });
    await shot('overview-en');
} finally {
    await browser.close();
}
