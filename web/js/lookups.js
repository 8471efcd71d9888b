// lookups.js — the caller's organisations and sensors (GET /orgs, /sensors), read once per
// page load for the filter selects and for names in tables; forgotten after an edit.
import { get } from './api.js';

let lookups = null; // orgs and sensors for the selects and the table (per page load)
export async function loadLookups() {
    if (!lookups) {
        lookups = Promise.all([get('/orgs'), get('/sensors')]).then(([o, s]) => ({
            orgs: o.orgs, sensors: s.sensors,
            org: new Map(o.orgs.map((x) => [x.id, x])), sensor: new Map(s.sensors.map((x) => [x.id, x])),
        }));
        lookups.catch(() => { lookups = null; });
    }
    return lookups;
}
export function forgetLookups() { lookups = null; }
