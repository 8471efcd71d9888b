/* classify_test.c — industrial operation classes on records citysoc-sensor wrote for public
 * captures (tests/data/hub/ics_eve.ndjson, see tests/data/SOURCES.md), hand-made edge cases,
 * and the stats counters. */
#include <stdio.h>
#include <stdlib.h>

#include "classify.h"
#include "../norm/json.h"

#include "../../lib/cs_test.h"

static struct hub_str S(const char *s)
{
    return (struct hub_str){s, (uint32_t)strlen(s)};
}

static const char *cls(const char *type, const char *raw)
{
    return hub_ics_classify(S(type), raw, strlen(raw));
}

struct tally {
    int n[4][6]; /* protocol x (none, write, control, program, stop, restart) */
    int64_t packets, drops;
    int nstats;
};

static int op_index(const char *op)
{
    static const char *const ops[] = {HUB_ICS_WRITE, HUB_ICS_CONTROL, HUB_ICS_PROGRAM,
                                      HUB_ICS_STOP, HUB_ICS_RESTART};
    for (int i = 0; op && i < 5; i++)
        if (strcmp(op, ops[i]) == 0)
            return i + 1;
    return 0;
}

CS_TEST(classify_sensor_records)
{
    static const char *const protos[] = {"modbus", "dnp3", "iec104", "s7comm"};
    const char *dir = getenv("CS_TEST_DATA");
    char path[512];
    snprintf(path, sizeof(path), "%s/hub/ics_eve.ndjson", dir ? dir : "tests/data");
    FILE *f = fopen(path, "r");
    REQUIRE(f);
    struct tally t = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    struct hub_json_doc d;
    hub_json_doc_init(&d);
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = 0;
        REQUIRE(hub_json_parse(&d, line, (size_t)len, NULL, NULL) == CS_OK);
        uint32_t et = hub_json_get(&d, 0, "event_type", 10);
        REQUIRE(et);
        char type[32];
        hub_json_str_decode(&d, et, type, sizeof(type));
        int64_t p, dr;
        if (hub_stats_counters(S(type), line, (size_t)len, &p, &dr)) {
            t.nstats++;
            t.packets = p;
            t.drops = dr;
        }
        for (int i = 0; i < 4; i++)
            if (strcmp(type, protos[i]) == 0)
                t.n[i][op_index(hub_ics_classify(S(type), line, (size_t)len))]++;
    }
    hub_json_doc_free(&d);
    free(line);
    fclose(f);
    /* modbus_test_data_part1: write single coil x2, write single register x1; diagnostics
     * restart communications x3, force listen only x3 */
    CHECK_EQ(t.n[0][1], 3);
    CHECK_EQ(t.n[0][2], 3);
    CHECK_EQ(t.n[0][5], 3);
    CHECK_EQ(t.n[0][0], 9);
    /* dnp3: SELECT + OPERATE, WRITE, COLD_RESTART; the responses are not counted */
    CHECK_EQ(t.n[1][2], 2);
    CHECK_EQ(t.n[1][1], 1);
    CHECK_EQ(t.n[1][5], 1);
    CHECK_EQ(t.n[1][0], 3);
    /* iec104: C_SC_NA_1 x4 and C_DC_NA_1 activations; interrogation and clock sync are not */
    CHECK_EQ(t.n[2][2], 5);
    CHECK_EQ(t.n[2][0], 2);
    /* s7comm block download: one request_download job, one plc_control job (the start);
     * download_block/ended jobs and every ack_data are not counted */
    CHECK_EQ(t.n[3][3], 1);
    CHECK_EQ(t.n[3][2], 1);
    CHECK_EQ(t.n[3][0], 16);
    /* stats from a capture file: no kernel counters, so decoder.pkts */
    CHECK_EQ(t.nstats, 1);
    CHECK_EQ(t.packets, 118);
    CHECK_EQ(t.drops, 0);
}

CS_TEST(classify_edges)
{
    CHECK_STR(cls("modbus", "{\"modbus\":{\"request\":{\"function_raw\":16}}}"), "write");
    CHECK(cls("modbus", "{\"modbus\":{\"response\":{\"function_raw\":16}}}") == NULL);
    CHECK(cls("modbus", "{\"modbus\":{\"request\":{\"function_raw\":3}}}") == NULL);
    CHECK(cls("modbus", "{\"modbus\":{\"request\":{\"function_raw\":\"16\"}}}") == NULL);
    CHECK(cls("modbus", "{\"modbus\":{\"request\":{\"function_raw\":8}}}") == NULL);
    /* the record's own event_type decides which object is read */
    CHECK(cls("dnp3", "{\"modbus\":{\"request\":{\"function_raw\":16}}}") == NULL);
    CHECK(cls("flow", "{\"modbus\":{\"request\":{\"function_raw\":16}}}") == NULL);
    CHECK_STR(cls("dnp3", "{\"dnp3\":{\"type\":\"request\",\"application\":{\"function_code\":18}}}"),
              "stop");
    CHECK_STR(cls("dnp3", "{\"dnp3\":{\"type\":\"request\",\"application\":{\"function_code\":5}}}"),
              "control");
    CHECK(cls("dnp3", "{\"dnp3\":{\"type\":\"response\",\"application\":{\"function_code\":2}}}") ==
          NULL);
    CHECK(cls("dnp3", "{\"dnp3\":{\"type\":\"request\",\"application\":{\"function_code\":1}}}") ==
          NULL);
    CHECK_STR(cls("iec104", "{\"iec104\":{\"asdu\":{\"type_id\":50,\"cot\":6}}}"), "write");
    CHECK_STR(cls("iec104", "{\"iec104\":{\"asdu\":{\"type_id\":58,\"cot\":8}}}"), "control");
    CHECK_STR(cls("iec104", "{\"iec104\":{\"asdu\":{\"type_id\":105,\"cot\":6}}}"), "restart");
    CHECK(cls("iec104", "{\"iec104\":{\"asdu\":{\"type_id\":45,\"cot\":7}}}") == NULL);
    CHECK(cls("iec104", "{\"iec104\":{\"asdu\":{\"type_id\":13,\"cot\":3}}}") == NULL);
    CHECK(cls("iec104", "{\"iec104\":{\"apci\":{\"type\":\"U\"}}}") == NULL);
    CHECK_STR(cls("s7comm", "{\"s7comm\":{\"rosctr\":\"job\",\"function_raw\":41}}"), "stop");
    CHECK_STR(cls("s7comm", "{\"s7comm\":{\"rosctr\":\"job\",\"function_raw\":5}}"), "write");
    CHECK(cls("s7comm", "{\"s7comm\":{\"rosctr\":\"ack_data\",\"function_raw\":5}}") == NULL);
    CHECK(cls("s7comm", "{\"s7comm\":{\"rosctr\":\"job\",\"function_raw\":4}}") == NULL);
    /* not JSON, truncated, a string where an object belongs, empty */
    CHECK(cls("modbus", "modbus write") == NULL);
    CHECK(cls("modbus", "{\"modbus\":{\"request\":{\"function_raw\":16}") == NULL);
    CHECK(cls("modbus", "{\"modbus\":\"x\"}") == NULL);
    CHECK(cls("modbus", "") == NULL);
    CHECK(hub_ics_classify(S("modbus"), NULL, 0) == NULL);
}

CS_TEST(classify_stats_counters)
{
    int64_t p = -1, d = -1;
    const char *live = "{\"event_type\":\"stats\",\"stats\":{\"capture\":{\"kernel_packets\":"
                       "5000,\"kernel_drops\":12},\"decoder\":{\"pkts\":4988}}}";
    CHECK(hub_stats_counters(S("stats"), live, strlen(live), &p, &d));
    CHECK_EQ(p, 5000);
    CHECK_EQ(d, 12);
    const char *none = "{\"event_type\":\"stats\",\"stats\":{\"uptime\":3}}";
    CHECK(!hub_stats_counters(S("stats"), none, strlen(none), &p, &d));
    CHECK(!hub_stats_counters(S("flow"), live, strlen(live), &p, &d));
    CHECK(!hub_stats_counters(S("stats"), "stats", 5, &p, &d));
}

CS_TEST_MAIN()
