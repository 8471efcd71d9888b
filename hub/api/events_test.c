/* events_test.c — the pieces of the event routes that need no server: time parsing, batch
 * ids, the event → store mapping, the JSON of a stored event. */
#include <string.h>

#include "../../lib/cs_test.h"
#include "events.h"

CS_TEST(parse_time_forms)
{
    int64_t us = 0;
    CHECK(hub_parse_time("1781251735000000", &us));
    CHECK_EQ(us, 1781251735000000LL);
    CHECK(hub_parse_time("2026-06-12T08:08:55Z", &us));
    CHECK_EQ(us, 1781251735000000LL);
    CHECK(hub_parse_time("2026-06-12T08:08:55.5Z", &us));
    CHECK_EQ(us, 1781251735500000LL);
    CHECK(hub_parse_time("2026-06-12T04:08:55.000001-04:00", &us));
    CHECK_EQ(us, 1781251735000001LL);
    CHECK(hub_parse_time("2026-06-12T16:08:55+0800", &us));
    CHECK_EQ(us, 1781251735000000LL);
    const char *bad[] = {"",
                         "-5",
                         "2026-06-12",
                         "2026-06-12T08:08:55",
                         "2026-06-12T08:08:55ZZ",
                         "2026-06-12T08:08:55.Z",
                         "2026-06-12T08:08:55+25:00",
                         "2026-06-12T08:08:55Z' OR 1=1",
                         "99999999999999999999",
                         "1e6"};
    for (size_t i = 0; i < CS_ARRAY_LEN(bad); i++)
        if (hub_parse_time(bad[i], &us))
            CS_FAILF("accepted '%s'", bad[i]);
}

CS_TEST(batch_ids)
{
    CHECK(hub_batch_id_ok("b-1"));
    CHECK(hub_batch_id_ok("tail-12-00ff:x.y_z"));
    CHECK(!hub_batch_id_ok(""));
    CHECK(!hub_batch_id_ok(NULL));
    CHECK(!hub_batch_id_ok("a b"));
    CHECK(!hub_batch_id_ok("a'b"));
    CHECK(!hub_batch_id_ok("é"));
    char longid[70];
    memset(longid, 'a', 65);
    longid[65] = 0;
    CHECK(!hub_batch_id_ok(longid));
    longid[64] = 0;
    CHECK(hub_batch_id_ok(longid));
}

static struct hub_str S(const char *s) {
    return (struct hub_str){s, (uint32_t)strlen(s)};
}

CS_TEST(event_to_store_mapping)
{
    struct hub_event e;
    memset(&e, 0, sizeof(e));
    e.event_type = S("alert");
    e.src_ip = S("10.0.0.1");
    e.src_port = 0; /* a real port 0 with an address stays 0 */
    e.dest_ip = S("10.0.0.2");
    e.dest_port = 502;
    e.proto = S("TCP");
    e.alert.present = true;
    e.alert.signature_id = 42;
    e.alert.signature = S("sig");
    e.alert.severity = 2;
    e.raw = S("{\"x\":1}");
    struct hub_store_event o;
    hub_event_to_store(&e, 777, &o);
    CHECK_EQ(o.ts_us, 777); /* no time in the record: received time */
    CHECK_EQ(o.src_port, 0);
    CHECK_EQ(o.dest_port, 502);
    CHECK_EQ(o.signature_id, 42);
    CHECK_EQ(o.severity, 2);
    CHECK_EQ(o.raw.len, 7);
    memset(&e, 0, sizeof(e));
    e.ts = 5;
    e.raw = S("x");
    hub_event_to_store(&e, 777, &o);
    CHECK_EQ(o.ts_us, 5);
    CHECK(o.event_type.len == 7 && memcmp(o.event_type.p, "unknown", 7) == 0);
    CHECK_EQ(o.src_port, -1);
    CHECK_EQ(o.dest_port, -1);
    CHECK_EQ(o.signature_id, -1);
    CHECK_EQ(o.severity, -1);
    CHECK(o.src_ip.p == NULL);
}

CS_TEST(event_json_embeds_json_records_only)
{
    struct hub_event_row r;
    memset(&r, 0, sizeof(r));
    r.id = 9;
    r.ev.ts_us = 1781251735000000LL;
    r.ev.event_type = (struct hub_text){"alert", 5};
    r.ev.src_port = r.ev.dest_port = -1;
    r.ev.signature_id = 7;
    r.ev.severity = -1;
    r.ev.raw = (struct hub_text){"{\"a\":[1,2]}", 11};
    struct cs_json j;
    struct hub_json_doc d;
    cs_json_init(&j);
    hub_json_doc_init(&d);
    hub_json_event(&j, &d, &r);
    cs_json_append(&j, "", 1);
    CHECK(strstr(j.buf, "\"record\":{\"a\":[1,2]}") != NULL);
    CHECK(strstr(j.buf, "\"alert\":{\"signature_id\":7}") != NULL);
    CHECK(strstr(j.buf, "src_port") == NULL);
    cs_json_reset(&j);
    r.ev.raw = (struct hub_text){"{\"a\":", 5}; /* not JSON: a string, escaped */
    hub_json_event(&j, &d, &r);
    cs_json_append(&j, "", 1);
    CHECK(strstr(j.buf, "\"raw\":\"{\\\"a\\\":\"") != NULL);
    cs_json_reset(&j);
    r.ev.raw = (struct hub_text){"<13>Jun 12 host app: msg", 24};
    hub_json_event(&j, &d, &r);
    cs_json_append(&j, "", 1);
    CHECK(strstr(j.buf, "\"raw\":\"<13>Jun 12 host app: msg\"") != NULL);
    cs_json_free(&j);
    hub_json_doc_free(&d);
}

CS_TEST_MAIN()
