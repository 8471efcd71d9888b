// i18n_check.mjs DIR — the console's text lives in message files only:
//  - i18n/zh-CN.json and i18n/en.json have the same keys, none empty;
//  - index.html has no text and no placeholder/title/aria-label outside data-i18n*;
//  - every key the code names (t('k'), tOr('k'), data-i18n="k", title: 'k' of table
//    columns) exists, every `prefix.${…}` key family has members, and no message is unused;
//  - no Chinese text in the code (it belongs in zh-CN.json).
// Prints one line per problem; exit status 1 if any.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] || 'web';
const problems = [];
const load = (f) => JSON.parse(readFileSync(join(dir, 'i18n', f), 'utf8'));
const zh = load('zh-CN.json'), en = load('en.json');
for (const [a, b, an, bn] of [[zh, en, 'zh-CN', 'en'], [en, zh, 'en', 'zh-CN']])
    for (const k of Object.keys(a)) {
        if (!(k in b)) problems.push(`${k}: in ${an}.json, missing from ${bn}.json`);
        if (typeof a[k] !== 'string' || !a[k].trim()) problems.push(`${k}: empty in ${an}.json`);
    }
for (const k of Object.keys(zh)) {
    const vz = (zh[k].match(/\{\w+\}/g) || []).sort().join(), ve = (en[k] || '').match(/\{\w+\}/g);
    if (en[k] !== undefined && vz !== (ve || []).sort().join()) problems.push(`${k}: placeholders differ between the languages`);
}

const html = readFileSync(join(dir, 'index.html'), 'utf8');
const body = html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '').replace(/<!--[\s\S]*?-->/g, '');
for (const m of body.matchAll(/>([^<]*)</g))
    if (m[1].trim()) problems.push(`index.html: hard-coded text "${m[1].trim()}"`);
for (const m of body.matchAll(/\s(placeholder|title|aria-label|alt)="([^"]*)"/g))
    problems.push(`index.html: hard-coded ${m[1]}="${m[2]}" (use data-i18n-${m[1]})`);

const used = new Set(), prefixes = new Set();
for (const m of html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) used.add(m[1]);
const jsDir = join(dir, 'js');
for (const f of readdirSync(jsDir).filter((x) => x.endsWith('.js'))) {
    const src = readFileSync(join(jsDir, f), 'utf8').replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    if (/[\u3400-\u9fff]/.test(src)) problems.push(`js/${f}: Chinese text in code`);
    for (const m of src.matchAll(/\b(?:t|tOr|stateBox\([^,]+,\s*t)\(\s*'([^']+)'/g)) used.add(m[1]);
    // keys handed to helpers (table column titles, kv rows, form fields): any literal that
    // names a message
    for (const m of src.matchAll(/'([a-z_]+\.[a-z_.0-9-]+)'/g)) if (m[1] in zh) used.add(m[1]);
    for (const m of src.matchAll(/\b(?:t|tOr)\(\s*`([a-z_.0-9-]+)\.\$\{/g)) prefixes.add(`${m[1]}.`);
}
for (const k of used) if (!(k in zh)) problems.push(`key "${k}" is used but not in the message files`);
for (const p of prefixes)
    if (!Object.keys(zh).some((k) => k.startsWith(p))) problems.push(`no messages for the key family "${p}*"`);
for (const k of Object.keys(zh))
    if (!used.has(k) && ![...prefixes].some((p) => k.startsWith(p))) problems.push(`message "${k}" is never used`);

for (const p of problems) console.log(p);
console.log(`i18n: ${Object.keys(zh).length} messages, ${used.size} literal keys, ${prefixes.size} key families, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
