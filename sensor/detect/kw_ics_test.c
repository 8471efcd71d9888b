/* kw_ics_test.c — iec104.typeid / iec104.cot / iec104.ioa / s7comm.func / s7comm.rosctr:
 * setup (names, numbers, comparisons, errors) and .match against the transactions the
 * parsers hand to detection for real APDUs/PDUs (bytes taken from captures in the shared
 * corpus, see the comments), fed through the parsers with the detection hook captured. */
#include "../app/app_test_util.h"
#include "../app/iec104.h"
#include "../app/s7comm.h"
#include "detect.h"
#include "kw_ics.h"

extern const struct sn_app_parser sn_app_iec104, sn_app_s7comm;

/* What the parser handed to the detection hook, copied. */
static struct sn_iec104_apdu got104[8];
static struct sn_s7comm_pdu gots7[8];
static int n104, ns7;

static void hook(struct sn_worker *w, struct sn_flow *f, int dir, void *tx, const char *proto)
{
    (void)w;
    (void)f;
    (void)dir;
    if (!strcmp(proto, "iec104") && n104 < 8)
        got104[n104++] = *(const struct sn_iec104_apdu *)tx;
    else if (!strcmp(proto, "s7comm") && ns7 < 8)
        gots7[ns7++] = *(const struct sn_s7comm_pdu *)tx;
}

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; h[0] && h[1] && n < cap; h += 2) {
        unsigned v;
        if (sscanf(h, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* Feeds hex bytes of one direction to parser ap on port dp. */
static void feed(const struct sn_app_parser *ap, uint16_t dp, const char *hex)
{
    struct app_feeder *fd = app_feeder_new(ap, dp, NULL, NULL);
    uint8_t b[512];
    size_t n = unhex(hex, b, sizeof(b));

    if (!fd)
        return;
    sn_detect_app_cb = hook;
    app_feeder_feed(fd, SN_TOSERVER, b, n, 0);
    sn_detect_app_cb = NULL;
    app_feeder_end(fd);
    app_feeder_free(fd);
}

static struct sn_rule *rule(const char *opts, struct cs_err *e)
{
    char text[512];
    struct sn_rule *r = NULL;
    snprintf(text, sizeof(text), "alert tcp any any -> any any (%s sid:1;)", opts);
    memset(e, 0, sizeof(*e));
    if (sn_rule_parse(text, strlen(text), NULL, &r, e) != CS_OK)
        return NULL;
    return r;
}

/* Does keyword `kw` with option text `opt` match tx (proto)? -1 when the rule is refused. */
static int matches(const char *kw, const char *opt, void *tx, const char *proto)
{
    char o[128];
    struct cs_err e;
    struct sn_rule *r;
    struct sn_detect_thread t;
    int i, res;

    snprintf(o, sizeof(o), "%s:%s;", kw, opt);
    r = rule(o, &e);
    if (!r) {
        printf("# refused %s: %s\n", o, e.msg);
        return -1;
    }
    i = sn_rule_find_kw(r, kw, 0);
    if (i < 0 || !r->kw[i].kw->match) {
        sn_rule_free(r);
        return -1;
    }
    memset(&t, 0, sizeof(t));
    t.tx = tx;
    t.tx_proto = proto;
    t.rule = r;
    t.kw_idx = (uint32_t)i;
    res = r->kw[i].kw->match(&t, &r->kw[i]);
    sn_rule_free(r);
    return res;
}

static bool refused(const char *opts, const char *msg)
{
    struct cs_err e;
    struct sn_rule *r = rule(opts, &e);
    if (r) {
        sn_rule_free(r);
        printf("# accepted: %s\n", opts);
        return false;
    }
    if (!strstr(e.msg, msg)) {
        printf("# %s: got '%s', want '%s'\n", opts, e.msg, msg);
        return false;
    }
    return true;
}

CS_TEST(ics_setup)
{
    struct cs_err e;
    struct sn_rule *r = rule("iec104.typeid:C_SC_NA_1; iec104.cot:!spont; iec104.ioa:100-200; "
                             "s7comm.func:plc_stop; s7comm.rosctr:>1;",
                             &e);
    const struct sn_kw_ics *k;
    int i;

    REQUIRE(r);
    i = sn_rule_find_kw(r, "iec104.typeid", 0);
    REQUIRE(i >= 0);
    k = r->kw[i].data;
    CHECK_EQ(k->cmp.op, SN_CMP_EQ);
    CHECK_EQ(k->cmp.a, 45);
    k = r->kw[sn_rule_find_kw(r, "iec104.cot", 0)].data;
    CHECK_EQ(k->cmp.op, SN_CMP_NE);
    CHECK_EQ(k->cmp.a, 3);
    k = r->kw[sn_rule_find_kw(r, "iec104.ioa", 0)].data;
    CHECK_EQ(k->cmp.op, SN_CMP_RANGE_INCL);
    CHECK_EQ(k->cmp.a, 100);
    CHECK_EQ(k->cmp.b, 200);
    k = r->kw[sn_rule_find_kw(r, "s7comm.func", 0)].data;
    CHECK_EQ(k->cmp.a, 0x29);
    k = r->kw[sn_rule_find_kw(r, "s7comm.rosctr", 0)].data;
    CHECK_EQ(k->cmp.op, SN_CMP_GT);
    CHECK_EQ(k->cmp.a, 1);
    sn_rule_free(r);
    /* names are case-insensitive */
    r = rule("iec104.typeid:m_sp_na_1; s7comm.rosctr:ACK_DATA;", &e);
    REQUIRE(r);
    CHECK_EQ(((struct sn_kw_ics *)r->kw[sn_rule_find_kw(r, "iec104.typeid", 0)].data)->cmp.a, 1);
    CHECK_EQ(((struct sn_kw_ics *)r->kw[sn_rule_find_kw(r, "s7comm.rosctr", 0)].data)->cmp.a, 3);
    sn_rule_free(r);
    CHECK(refused("iec104.typeid:M_XX_NA_1;", "unknown iec104.typeid name"));
    CHECK(refused("iec104.cot:64;", "iec104.cot"));
    CHECK(refused("iec104.ioa:spont;", "iec104.ioa"));
    CHECK(refused("iec104.ioa:16777216;", "iec104.ioa"));
    CHECK(refused("s7comm.func:erase_everything;", "unknown s7comm.func name"));
    CHECK(refused("s7comm.rosctr:job ack;", "invalid s7comm.rosctr"));
    CHECK(refused("s7comm.func;", "s7comm.func"));
}

CS_TEST(iec104_match)
{
    n104 = 0;
    /* 090813_diverse.pcap frame 1: I(77,20) M_ME_NC_1 per/cyc, CA 3, IOA 1300 and 1301 */
    feed(&sn_app_iec104, 2404, "681a9a0028000d02010003001405000000f041001505000000314400");
    /* made here: M_SP_NA_1 with SQ=1, 16 objects from IOA 100, cause inrogen */
    feed(&sn_app_iec104, 2404, "681d0600040001901400070064000000018000000000000000000000000001");
    /* a STARTDT act U frame */
    feed(&sn_app_iec104, 2404, "680407000000");
    REQUIRE(n104 == 3);
    struct sn_iec104_apdu *a = &got104[0], *b = &got104[1], *u = &got104[2];
    CHECK_EQ(a->tx_seq, 77);
    CHECK_EQ(a->rx_seq, 20);
    CHECK_EQ(a->nioa, 2);
    CHECK_EQ(b->nioa, 16);
    CHECK_EQ(u->frame, SN_IEC104_U);

    CHECK_EQ(matches("iec104.typeid", "M_ME_NC_1", a, "iec104"), 1);
    CHECK_EQ(matches("iec104.typeid", "13", a, "iec104"), 1);
    CHECK_EQ(matches("iec104.typeid", ">20", a, "iec104"), 0);
    CHECK_EQ(matches("iec104.typeid", "C_SC_NA_1", a, "iec104"), 0);
    CHECK_EQ(matches("iec104.typeid", "!M_ME_NC_1", a, "iec104"), 0);
    CHECK_EQ(matches("iec104.typeid", "M_SP_NA_1", b, "iec104"), 1);
    CHECK_EQ(matches("iec104.typeid", "M_SP_NA_1", u, "iec104"), 0); /* no ASDU */
    CHECK_EQ(matches("iec104.typeid", "<200", u, "iec104"), 0);
    CHECK_EQ(matches("iec104.cot", "percyc", a, "iec104"), 1);
    CHECK_EQ(matches("iec104.cot", "1", a, "iec104"), 1);
    CHECK_EQ(matches("iec104.cot", "spont", a, "iec104"), 0);
    CHECK_EQ(matches("iec104.cot", "inrogen", b, "iec104"), 1);
    CHECK_EQ(matches("iec104.cot", "20-36", b, "iec104"), 1);
    CHECK_EQ(matches("iec104.cot", "act", b, "iec104"), 0);
    CHECK_EQ(matches("iec104.ioa", "1301", a, "iec104"), 1);
    CHECK_EQ(matches("iec104.ioa", "1302", a, "iec104"), 0);
    CHECK_EQ(matches("iec104.ioa", "1000-1300", a, "iec104"), 1);
    CHECK_EQ(matches("iec104.ioa", ">2000", a, "iec104"), 0);
    /* SQ=1: the addresses of the 16 objects are 100..115, only the first is on the wire */
    CHECK_EQ(matches("iec104.ioa", "115", b, "iec104"), 1);
    CHECK_EQ(matches("iec104.ioa", "116", b, "iec104"), 0);
    CHECK_EQ(matches("iec104.ioa", "<100", b, "iec104"), 0);
    /* a transaction of another protocol never matches */
    CHECK_EQ(matches("iec104.typeid", "13", a, "s7comm"), 0);
}

CS_TEST(s7comm_match)
{
    ns7 = 0;
    /* snap7_s300_readVar.pcapng: read var job (one item, DB 1 byte 0) and its ack_data */
    feed(&sn_app_s7comm, 102, "0300001f02f080320100000000000e00000401120a10020040000184000000");
    feed(&sn_app_s7comm, 102, "0300001902f08032030000000000020004000004010a000000");
    /* snap7_s300_stop.pcapng: PLC stop job (P_PROGRAM) */
    feed(&sn_app_s7comm, 102, "0300002102f0803201000000020010000029000000000009505f50524f4752414d");
    REQUIRE(ns7 == 3);
    struct sn_s7comm_pdu *rd = &gots7[0], *ack = &gots7[1], *stop = &gots7[2];
    REQUIRE(rd->nitems == 1);
    CHECK_EQ(rd->items[0].area, 0x84);
    CHECK_EQ(rd->items[0].db, 1);
    CHECK_EQ(rd->items[0].count, 64);

    CHECK_EQ(matches("s7comm.func", "read_var", rd, "s7comm"), 1);
    CHECK_EQ(matches("s7comm.func", "4", rd, "s7comm"), 1);
    CHECK_EQ(matches("s7comm.func", "write_var", rd, "s7comm"), 0);
    CHECK_EQ(matches("s7comm.func", "read_var", ack, "s7comm"), 1);
    CHECK_EQ(matches("s7comm.func", "plc_stop", stop, "s7comm"), 1);
    CHECK_EQ(matches("s7comm.func", "!plc_stop", stop, "s7comm"), 0);
    CHECK_EQ(matches("s7comm.func", "plc_stop", rd, "s7comm"), 0);
    CHECK_EQ(matches("s7comm.rosctr", "job", rd, "s7comm"), 1);
    CHECK_EQ(matches("s7comm.rosctr", "job", ack, "s7comm"), 0);
    CHECK_EQ(matches("s7comm.rosctr", "ack_data", ack, "s7comm"), 1);
    CHECK_EQ(matches("s7comm.rosctr", "3", ack, "s7comm"), 1);
    CHECK_EQ(matches("s7comm.rosctr", "userdata", stop, "s7comm"), 0);
    CHECK_EQ(matches("s7comm.rosctr", "job", rd, "iec104"), 0);
}

CS_TEST_MAIN()
