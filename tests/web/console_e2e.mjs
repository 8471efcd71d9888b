// console_e2e.mjs — the console in a real browser against a hub filled by
// tests/e2e/console.sh. Prints "ok NAME" / "FAIL NAME: detail" per check and
// "RESULT passed=N failed=M". Every check reads what the page shows.
// env: BASE, PW (the users' password), WEST_ALERT_ID (an alert of the other district).
import { launch, loginAs } from './pw.mjs';

const BASE = process.env.BASE;
const PW = process.env.PW;
let pass = 0, fail = 0;
function check(name, cond, detail = '') {
    if (cond) { pass++; console.log(`ok ${name}`); } else { fail++; console.log(`FAIL ${name}: ${detail}`); }
}
const texts = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));
const T = 15000;

async function step(name, fn) {
    try { await fn(); } catch (e) { fail++; console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`); }
}

const browser = await launch();
try {
    // ---- login page, Chinese by default ---------------------------------------------
    await step('login page', async () => {
        const ctx = await browser.newContext();
        const page = await ctx.newPage();
        await page.goto(`${BASE}/alerts`); // a client route: the hub answers index.html
        await page.waitForSelector('#login-form', { state: 'visible' });
        check('login page is Chinese by default', (await page.textContent('#login-submit')) === '登录',
            await page.textContent('#login-submit'));
        await page.fill('#login-user', 'root-admin');
        await page.fill('#login-pass', 'wrong-password-123');
        await page.click('#login-submit');
        await page.waitForSelector('#login-error', { state: 'visible' });
        check('wrong password is refused on the page', (await page.textContent('#login-error')).includes('错误'));
        await ctx.close();
    });

    const { ctx: adminCtx, page } = await loginAs(browser, BASE, 'root-admin', PW);

    // ---- overview --------------------------------------------------------------------
    await step('overview', async () => {
        await page.waitForSelector('body[data-overview="drawn"]', { timeout: T });
        const alerts = await page.textContent('[data-kpi="alerts"] .kpi-value');
        check('overview counts the 14 alerts ingested', alerts.trim() === '14', alerts);
        const high = await page.textContent('[data-kpi="sev1"] .kpi-value');
        check('overview counts 2 high-severity alerts', high.trim() === '2', high);
        const sigs = await texts(page, '.panel-top_signatures td');
        check('top signatures list the beacon', sigs.some((s) => s.includes('CITYSOC-EAST backdoor beacon')), sigs.join('|'));
        const src = await texts(page, '.panel-top_src td');
        check('top sources list 10.1.0.5', src.includes('10.1.0.5'), src.join('|'));
        check('alerts-over-time chart drawn', (await page.$$('#chart-time canvas')).length > 0);
        check('protocol mix chart drawn', (await page.$$('#chart-proto canvas')).length > 0);
        await page.waitForSelector('#ov-ticker li a', { timeout: T });
        const tick = await texts(page, '#ov-ticker li a');
        check('ticker shows high-severity alerts only', tick.length === 2 && tick.every((x) => x.includes('backdoor beacon')), tick.join('|'));
        const sensors = await texts(page, '.panel-sensors td');
        check('sensors panel lists both sensors', sensors.includes('east-1') && sensors.includes('west-1'), sensors.join('|'));
        const tz = await page.textContent('#tz');
        check('time zone shown', tz.includes('Asia/Shanghai'), tz);
    });

    // ---- live: a new high-severity alert arrives while the overview is open ---------
    await step('live', async () => {
        await page.goto(`${BASE}/?refresh=1500&tick=1000`);
        await page.waitForSelector('body[data-overview="drawn"]', { timeout: T });
        await page.waitForSelector('#ov-ticker li a', { timeout: T });
        const now = new Date();
        const ts = now.toISOString().replace('Z', '+0000');
        const line = JSON.stringify({ timestamp: ts, flow_id: 777001, event_type: 'alert', src_ip: '10.1.0.66', src_port: 4444,
            dest_ip: '10.1.9.9', dest_port: 502, proto: 'TCP', app_proto: 'modbus',
            alert: { action: 'allowed', gid: 1, signature_id: 9300001, rev: 1, signature: 'CITYSOC-EAST live intrusion', category: 'test', severity: 1 } });
        const r = await fetch(`${BASE}/api/v1/events`, { method: 'POST', body: `${line}\n`, headers: {
            Authorization: `Bearer ${process.env.E_TOKEN}`, 'Content-Type': 'application/x-ndjson', 'X-Citysoc-Batch': 'live-1' } });
        check('live alert ingested', r.status === 200, String(r.status));
        await page.waitForFunction(() => [...document.querySelectorAll('#ov-ticker li.new a')].some((a) => a.textContent.includes('live intrusion')), null, { timeout: T });
        const first = await page.textContent('#ov-ticker li:first-child a');
        check('ticker shows the new alert first, marked new', first.includes('CITYSOC-EAST live intrusion'), first);
        await page.waitForFunction(() => document.querySelector('[data-kpi="alerts"] .kpi-value')?.textContent.trim() === '15', null, { timeout: T });
        check('overview refreshes by itself (15 alerts)', true);
    });

    // ---- the wall: every panel above the fold at 1920x1080 and 1600x900 ---------------
    await step('wall', async () => {
        // the boxes of the KPIs and panels against the viewport, the page's own scroll
        // height, and the type sizes a wall needs
        const measure = () => page.evaluate(() => {
            const vw = window.innerWidth, vh = window.innerHeight;
            const boxes = [...document.querySelectorAll('.kpi, .ov-layout .panel')].map((el) => {
                const r = el.getBoundingClientRect();
                return { name: el.dataset.kpi || el.className, top: r.top, bottom: r.bottom, right: r.right, height: r.height };
            });
            const px = (sel) => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize);
            const shown = (sel) => [...document.querySelectorAll(sel)].filter((tr) => !tr.hidden).length;
            return {
                vw, vh, boxes, scroll: document.scrollingElement.scrollHeight,
                below: boxes.filter((b) => b.bottom > vh + 0.5 || b.right > vw + 0.5).map((b) => `${b.name}:${Math.round(b.bottom)}`),
                squashed: boxes.filter((b) => b.height < 90).map((b) => `${b.name}:${Math.round(b.height)}`),
                kpiPx: px('.kpi-value'), rankPx: px('.panel-top_src td'), h2Px: px('.panel h2'),
                srcRows: shown('.panel-top_src tr'), srcAll: document.querySelectorAll('.panel-top_src tr').length, topbar: document.querySelector('.topbar').getBoundingClientRect().height,
            };
        });
        for (const [w, hgt] of [[1920, 1080], [1600, 900]]) {
            await page.setViewportSize({ width: w, height: hgt });
            await page.goto(`${BASE}/`);
            await page.waitForSelector('body[data-overview="drawn"]', { timeout: T });
            const m = await measure();
            check(`${w}x${hgt}: 13 boxes (4 KPIs, 8 panels, ticker)`, m.boxes.length === 13, String(m.boxes.length));
            check(`${w}x${hgt}: no panel below the fold`, m.below.length === 0, m.below.join(' '));
            check(`${w}x${hgt}: the page does not scroll`, m.scroll <= m.vh, `${m.scroll} > ${m.vh}`);
            check(`${w}x${hgt}: no panel squashed under 90 px`, m.squashed.length === 0, m.squashed.join(' '));
            check(`${w}x${hgt}: KPI numbers at least 48 px, lists 15 px, titles 16 px`,
                m.kpiPx >= 48 && m.rankPx >= 15 && m.h2Px >= 16, `${m.kpiPx}/${m.rankPx}/${m.h2Px}`);
            check(`${w}x${hgt}: top sources show their 3 rows, none hidden`, m.srcAll === 3 && m.srcRows === 3, `${m.srcRows} of ${m.srcAll}`);
        }
        // the wall mode: no navigation, still everything on the screen; and back
        await page.click('#ov-wall');
        await page.waitForFunction(() => document.body.classList.contains('wall') && location.search.includes('wall=1'));
        await page.waitForSelector('body[data-overview="drawn"]', { timeout: T });
        let m = await measure();
        check('wall mode hides the navigation', m.topbar === 0 && !(await page.isVisible('#nav')), String(m.topbar));
        check('wall mode: no panel below the fold', m.below.length === 0 && m.scroll <= m.vh, m.below.join(' '));
        await page.click('#ov-wall');
        await page.waitForFunction(() => !document.body.classList.contains('wall') && !location.search.includes('wall'));
        check('leaving wall mode brings the navigation back', await page.isVisible('#nav'));
        await page.click('#nav a[data-route="alerts"]');
        await page.waitForSelector('table.events tbody tr', { timeout: T });
        m = await page.evaluate(() => document.body.className);
        check('other screens are not in the overview layout', !/\b(ov|wall)\b/.test(m), m);
        await page.setViewportSize({ width: 1600, height: 900 });
    });

    // ---- alerts: filters, keyboard, detail ------------------------------------------
    await step('alerts', async () => {
        await page.click('#nav a[data-route="alerts"]');
        await page.waitForSelector('table.events tbody tr', { timeout: T });
        let rows = await texts(page, 'table.events tbody tr');
        check('alerts table lists all 15 alerts', rows.length === 15, String(rows.length));
        await page.selectOption('select[name="severity_max"]', '1');
        await page.click('#filter-apply');
        await page.waitForFunction(() => document.querySelectorAll('table.events tbody tr').length === 3, null, { timeout: T });
        rows = await texts(page, 'table.events tbody tr');
        check('severity filter keeps the 3 high alerts', rows.length === 3 && rows.every((r) => r.includes('backdoor beacon') || r.includes('live intrusion')), rows.join('|'));
        check('filter is kept in the URL', page.url().includes('severity_max=1'), page.url());
        await page.fill('input[name="signature"]', 'WEST');
        await page.click('#filter-apply');
        await page.waitForFunction(() => document.querySelectorAll('table.events tbody tr').length === 1, null, { timeout: T });
        rows = await texts(page, 'table.events tbody tr');
        check('signature filter narrows to WEST', rows.length === 1 && rows[0].includes('CITYSOC-WEST'), rows.join('|'));
        // free text: a substring of the original record (the beacon's HTTP host name), not of any column
        await page.goto(`${BASE}/alerts`);
        await page.waitForSelector('table.events tbody tr', { timeout: T });
        await page.fill('input[name="q"]', 'east-c2.exam');
        await page.click('#filter-apply');
        await page.waitForFunction(() => document.querySelectorAll('table.events tbody tr').length === 1, null, { timeout: T });
        rows = await texts(page, 'table.events tbody tr');
        check('free-text search finds the alert whose record names east-c2.example', rows.length === 1 && rows[0].includes('EAST backdoor beacon') && !rows[0].includes('east-c2'), rows.join('|'));
        check('free text is kept in the URL', page.url().includes('q=east-c2.exam'), page.url());
        await page.goto(`${BASE}/alerts?ip=10.1.0.5&group=signature`);
        await page.waitForSelector('#alert-groups tbody tr', { timeout: T });
        const groups = await texts(page, '#alert-groups tbody tr');
        check('grouping by signature: 3 signatures of 10.1.0.5', groups.length === 3 && groups.some((g) => g.startsWith('3') && g.includes('scan')), groups.join('|'));
        await page.goto(`${BASE}/alerts?severity_max=1&ip=10.1.0.5`);
        await page.waitForSelector('table.events tbody tr', { timeout: T });
        await page.focus('table.events tbody tr');
        await page.keyboard.press('Enter');
        await page.waitForSelector('#detail', { timeout: T });
        check('keyboard Enter opens the detail', /\/alerts\/\d+/.test(page.url()), page.url());
        const title = await page.textContent('#detail-title');
        check('detail names the signature', title === 'CITYSOC-EAST backdoor beacon', title);
        const rule = await page.textContent('#rule-text');
        check('detail shows the rule text', rule.includes('content:"/beacon"') && rule.includes('sid:9100001'), rule);
        const meta = await page.textContent('pre[data-meta="http"]');
        check('detail shows the HTTP metadata', meta.includes('east-c2.example'), meta);
        const kv = await page.textContent('.kv');
        check('detail shows the flow id', kv.includes('1001'), kv);
    });

    // ---- pivots ------------------------------------------------------------------------
    await step('pivots', async () => {
        const detailUrl = page.url();
        await page.click('[data-pivot="flow"]');
        await page.waitForSelector('table.events tbody tr', { timeout: T });
        const heading = await page.textContent('#events-heading');
        check('flow pivot heading', heading.includes('1001'), heading);
        const rows = await texts(page, 'table.events tbody tr');
        check('flow pivot: the alert, the HTTP record and the flow record', rows.length === 3 &&
            rows.some((r) => r.includes('流')) && rows.some((r) => r.includes('HTTP')) && rows.some((r) => r.includes('backdoor')), rows.join('|'));
        await page.goto(detailUrl);
        await page.waitForSelector('[data-pivot="dns"]', { timeout: T });
        await page.click('[data-pivot="dns"]');
        await page.waitForSelector('#dns-names li', { timeout: T });
        const names = await texts(page, '#dns-names li');
        check('DNS pivot lists the names the source resolved', names.length === 2 &&
            names.some((n) => n.startsWith('east-c2.example')) && names.some((n) => n.startsWith('east-cdn.example')), names.join('|'));
        await page.goto(detailUrl);
        await page.waitForSelector('[data-pivot="src"]', { timeout: T });
        await page.click('[data-pivot="src"]');
        await page.waitForSelector('table.events tbody tr', { timeout: T });
        const all = await texts(page, 'table.events tbody tr');
        check('address pivot: every event of 10.1.0.5', all.length === 12 && all.every((r) => r.includes('10.1.0.5')), String(all.length));
    });

    // ---- language --------------------------------------------------------------------
    await step('language', async () => {
        await page.selectOption('#lang-select', 'en');
        await page.waitForFunction(() => document.documentElement.lang === 'en');
        let nav = await texts(page, '#nav a');
        check('English after switching', nav.join('|') === 'Overview|Alerts|Events and flows|Organisations and sensors', nav.join('|'));
        const st = await page.textContent('#event-status');
        check('page content re-rendered in English', st.includes('events shown'), st);
        await page.reload();
        await page.waitForSelector('#app', { state: 'visible' });
        nav = await texts(page, '#nav a');
        check('language choice survives a reload', nav[1] === 'Alerts', nav.join('|'));
        await page.selectOption('#lang-select', 'zh-CN');
        await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
        nav = await texts(page, '#nav a');
        check('back to Chinese', nav[1] === '告警', nav.join('|'));
    });

    // ---- organisations: admin edits ---------------------------------------------------
    await step('admin', async () => {
        await page.click('#nav a[data-route="orgs"]');
        await page.waitForSelector('#org-tree', { timeout: T });
        const tree = await texts(page, '#org-tree .org-name');
        check('admin sees the whole tree', ['city', 'district-east', 'district-west', 'plant-east', 'plant-west'].every((n) => tree.includes(n)), tree.join('|'));
        const sens = await texts(page, '#org-tree .sensor-name');
        check('tree shows each node\'s sensors', sens.includes('east-1') && sens.includes('west-1'), sens.join('|'));
        const cityCounts = await page.textContent('li[data-org="city"] > .org-row .org-counts');
        const districtCounts = await page.textContent('li[data-org="district-east"] > .org-row .org-counts');
        if (cityCounts.includes('–')) // a hub without /stats/orgs: unknown, not zero
            check('tree counts unknown without the statistics API', districtCounts.includes('–') && (await page.textContent('#org-body')).includes('统计接口'), cityCounts);
        else
            check('tree counts sum the subtree', cityCounts.includes('25') && cityCounts.includes('15') && districtCounts.includes('13') && districtCounts.includes('8'), `${cityCounts} | ${districtCounts}`);
        check('admin has the edit forms', (await page.$('#org-add')) !== null && (await page.$('#sensor-add')) !== null);
        await page.fill('#org-add input[name="name"]', 'plant-new');
        await page.selectOption('#org-add select[name="parent_id"]', { label: 'district-east' });
        await page.click('#org-add button[type="submit"]');
        await page.waitForFunction(() => [...document.querySelectorAll('#org-tree .org-name')].some((e) => e.textContent === 'plant-new'), null, { timeout: T });
        check('admin adds an organisation through the API', true);
    });
    await adminCtx.close();

    // ---- a viewer cannot edit -------------------------------------------------------
    await step('viewer', async () => {
        const { ctx, page: p } = await loginAs(browser, BASE, 'east-viewer', PW);
        const who = await p.textContent('#who');
        check('viewer role shown', who.includes('只读用户'), who);
        await p.click('#nav a[data-route="orgs"]');
        await p.waitForSelector('#org-tree', { timeout: T });
        check('viewer sees no edit forms', (await p.$('#org-add')) === null && (await p.$('#sensor-add')) === null);
        const buttons = await texts(p, 'main button, main input[type=submit]');
        check('viewer sees no create button', !buttons.some((b) => b.includes('创建')), buttons.join('|'));
        // every screen: only the filter forms, nothing that writes
        const seen = [];
        for (const [path, ready] of [['/', 'body[data-overview="drawn"]'], ['/alerts', 'table.events tbody tr'],
            ['/events', 'table.events tbody tr'], ['/orgs', '#org-tree']]) {
            await p.goto(`${BASE}${path}`);
            await p.waitForSelector(ready, { timeout: T });
            const forms = await p.$$eval('main form', (fs) => fs.map((f) => f.id));
            seen.push(`${path}:${forms.join(',')}`);
        }
        check('viewer: no form but the filters on any screen', seen.every((x) => /:(|alert-filters|event-filters)$/.test(x)), seen.join(' '));
        // and the API refuses what the page does not offer
        const code = await p.evaluate(async () => (await fetch('/api/v1/orgs', { method: 'POST',
            headers: { Authorization: `Bearer ${sessionStorage.getItem('citysoc.session')}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ name: 'viewer-made', parent_id: 1, kind: 'org' }) })).status);
        check('viewer: the API refuses adding an organisation (403)', code === 403, String(code));
        await ctx.close();
    });

    // ---- a district user sees only their district --------------------------------------
    await step('district', async () => {
        // first the city admin in the same tab, then sign out: nothing of the admin's
        // wider view may stay behind for the district user
        const { ctx, page: p } = await loginAs(browser, BASE, 'root-admin', PW);
        await p.click('#nav a[data-route="alerts"]');
        await p.waitForSelector('table.events tbody tr', { timeout: T });
        await p.click('#logout');
        await p.waitForSelector('#login-form', { state: 'visible' });
        check('sign out returns to the login page', !(await p.isVisible('#app')));
        await p.fill('#login-user', 'east-analyst');
        await p.fill('#login-pass', PW);
        await p.click('#login-submit');
        await p.waitForSelector('#app', { state: 'visible' });
        await p.click('#nav a[data-route="overview"]');
        await p.waitForSelector('body[data-overview="drawn"]', { timeout: T });
        const alerts = await p.textContent('[data-kpi="alerts"] .kpi-value');
        check('district overview counts its 8 alerts', alerts.trim() === '8', alerts);
        const sigs = await texts(p, '.panel-top_signatures td');
        check('district overview has no other district', !sigs.some((s) => s.includes('WEST')), sigs.join('|'));
        await p.waitForSelector('#ov-ticker li a', { timeout: T });
        const tick = await texts(p, '#ov-ticker li a');
        check('district ticker carries only its own high alerts', tick.length >= 1 && tick.every((x) => x.includes('EAST')), tick.join('|'));
        await p.click('#nav a[data-route="alerts"]');
        await p.waitForSelector('table.events tbody tr', { timeout: T });
        const rows = await texts(p, 'table.events tbody tr');
        check('district alerts are its own', rows.length === 8 && rows.every((r) => r.includes('EAST')), rows.join('|'));
        const orgOpts = await texts(p, 'select[name="org_id"] option');
        check('org filter offers only the district', !orgOpts.some((o) => o.includes('west')), orgOpts.join('|'));
        await p.click('#nav a[data-route="orgs"]');
        await p.waitForSelector('#org-tree', { timeout: T });
        const tree = await texts(p, '#org-tree .org-name');
        check('district tree has no other district', tree.includes('district-east') && !tree.some((n) => n.includes('west')) && !tree.includes('city'), tree.join('|'));
        await p.goto(`${BASE}/alerts/${process.env.WEST_ALERT_ID}`);
        await p.waitForSelector('main .state-error', { timeout: T });
        const err = await p.textContent('main .state-error');
        check('another district\'s alert is not found', err.includes('未找到'), err);
        await ctx.close();
    });
} finally {
    await browser.close();
}
console.log(`RESULT passed=${pass} failed=${fail}`);
process.exit(fail ? 1 : 0);
