/* ssh.c — SSH parser: identification lines (RFC 4253 section 4.2), binary packets up to
 * SSH_MSG_NEWKEYS, KEXINIT algorithm lists and the HASSH / HASSH-server fingerprints
 * (md5 of "kex;enc;mac;comp" of the sender's direction). After NEWKEYS a direction is
 * encrypted and ignored. One EVE `ssh` record per flow, written when both sides are done
 * (NEWKEYS, end of stream, or parsing stopped). */
#include "ssh.h"

#include "../../lib/cs_cfg.h"
#include "../../lib/cs_json.h"
#include "../config.h"
#include "../stream/stream.h"
#include "app.h"

#include <netinet/in.h>
#include <openssl/evp.h>

#define SSH_MAX_BANNER 255             /* identification line without CR LF */
#define SSH_MAX_PRE_BANNER (64u << 10) /* server lines allowed before its banner */
#define SSH_MAX_PACKET (256u << 10)    /* larger packet_length: not SSH (OpenSSH's limit) */
#define SSH_MAX_KEXINIT (64u << 10)    /* KEXINIT buffered for parsing up to this size */
#define SSH_MSG_KEXINIT 20
#define SSH_MSG_NEWKEYS 21

enum ssh_st {
    ST_BANNER = 0, /* waiting for "SSH-…" */
    ST_PRE_LINE,   /* server: skipping a line before the banner */
    ST_BANNER_EOL, /* long banner: skipping to its end of line */
    ST_RECORDS,    /* binary packets */
    ST_SKIP,       /* skipping the rest of a packet */
    ST_DONE,       /* encrypted, SSH-1, or unparseable: ignore the rest */
};

enum { EV_INVALID_BANNER = 1, EV_LONG_BANNER = 2, EV_INVALID_RECORD = 4 };

static void raise_event(struct sn_worker *w, const struct sn_flow *f, struct sn_ssh_side *sd,
                        unsigned ev)
{
    if (sd->events & ev)
        return;
    sd->events |= (uint8_t)ev;
    sn_app_event(w, f,
                 ev == EV_INVALID_BANNER ? "ssh.invalid_banner"
                 : ev == EV_LONG_BANNER  ? "ssh.long_banner"
                                         : "ssh.invalid_record");
}

static enum sn_probe ssh_probe(const uint8_t *data, uint32_t len, int dir, uint16_t dp)
{
    static const char tag[] = "SSH-";
    uint32_t n = CS_MIN(len, 4u);

    (void)dir;
    (void)dp;
    if (n == 0)
        return SN_PROBE_MORE;
    if (memcmp(data, tag, n) != 0)
        return SN_PROBE_NO;
    return n < 4 ? SN_PROBE_MORE : SN_PROBE_YES;
}

static void *ssh_state_new(void)
{
    return cs_calloc(1, sizeof(struct sn_ssh_state));
}

static void side_free(struct sn_ssh_side *sd)
{
    cs_free(sd->proto);
    cs_free(sd->software);
    cs_free(sd->lists);
    cs_free(sd->hassh_string);
}

static void ssh_state_free(void *state)
{
    struct sn_ssh_state *s = state;

    if (!s)
        return;
    side_free(&s->side[0]);
    side_free(&s->side[1]);
    cs_free(s);
}

static char *dup_n(const uint8_t *p, size_t n)
{
    char *s = cs_malloc(n + 1);

    if (s) {
        memcpy(s, p, n);
        s[n] = 0;
    }
    return s;
}

/* Reads the configuration once per flow: HASSH is on unless app-layer.protocols.ssh.hassh
 * says no ("auto" and absent mean on: rules may use it), and logged unless the eve-log ssh
 * type says hassh: no. */
static void read_cfg(const struct sn_worker *w, struct sn_ssh_state *s)
{
    const struct cs_cfg *raw = w->cfg ? w->cfg->raw : NULL;
    bool b;

    s->cfg_read = true;
    s->hassh_on = true;
    s->hassh_log = true;
    if (!raw)
        return;
    if (cs_cfg_get_bool(raw, "app-layer.protocols.ssh.hassh", &b))
        s->hassh_on = b;
    if (cs_cfg_get_bool(raw, "outputs.eve-log.types.ssh.hassh", &b))
        s->hassh_log = b;
}

/* Parses an identification line (CR LF removed): "SSH-" protoversion "-" softwareversion
 * [" " comments]. Fills proto/software of sd. Returns false when malformed. */
static bool parse_banner(struct sn_ssh_side *sd, const uint8_t *l, uint32_t n)
{
    uint32_t i = 4, pv, sw;

    if (n < 4 || memcmp(l, "SSH-", 4) != 0)
        return false;
    for (pv = i; i < n && l[i] != '-'; i++)
        ;
    if (i == pv || i >= n)
        return false;
    cs_free(sd->proto);
    sd->proto = dup_n(l + pv, i - pv);
    sw = ++i;
    while (i < n && l[i] != ' ' && l[i] != '\r' && l[i] != '\n')
        i++;
    cs_free(sd->software);
    sd->software = dup_n(l + sw, i - sw);
    return sd->proto && sd->software;
}

static bool is_v1(const struct sn_ssh_side *sd)
{
    return sd->proto && sd->proto[0] == '1' && strcmp(sd->proto, "1.99") != 0;
}

/* State after a banner. SSH-1 (not 1.99) speaks another packet format, and a 1.99 server
 * answering an SSH-1 client switches to it: when either side is SSH-1, both stop at their
 * binary packets. */
static uint8_t after_banner(struct sn_ssh_state *s)
{
    if (is_v1(&s->side[0]) || is_v1(&s->side[1])) {
        for (int d = 0; d < 2; d++)
            if (s->side[d].st == ST_RECORDS || s->side[d].st == ST_SKIP)
                s->side[d].st = ST_DONE;
        return ST_DONE;
    }
    return ST_RECORDS;
}

static void hassh_compute(struct sn_ssh_side *sd, int dir)
{
    static const char hex[] = "0123456789abcdef";
    const int idx[4] = {SN_SSH_KEX, dir == SN_TOSERVER ? SN_SSH_ENC_CTS : SN_SSH_ENC_STC,
                        dir == SN_TOSERVER ? SN_SSH_MAC_CTS : SN_SSH_MAC_STC,
                        dir == SN_TOSERVER ? SN_SSH_COMP_CTS : SN_SSH_COMP_STC};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    size_t n = 0;
    char *str;

    for (int k = 0; k < 4; k++)
        n += sd->list_len[idx[k]] + 1;
    str = cs_malloc(n);
    if (!str)
        return;
    n = 0;
    for (int k = 0; k < 4; k++) {
        if (k)
            str[n++] = ';';
        memcpy(str + n, sd->lists + sd->list_off[idx[k]], sd->list_len[idx[k]]);
        n += sd->list_len[idx[k]];
    }
    str[n] = 0;
    if (!EVP_Digest(str, n, md, &mdlen, EVP_md5(), NULL) || mdlen != 16) {
        cs_free(str);
        return;
    }
    for (unsigned k = 0; k < 16; k++) {
        sd->hassh[2 * k] = hex[md[k] >> 4];
        sd->hassh[2 * k + 1] = hex[md[k] & 15];
    }
    sd->hassh[32] = 0;
    cs_free(sd->hassh_string);
    sd->hassh_string = str;
}

/* KEXINIT payload after the message code: cookie[16], ten name-lists (uint32 length +
 * bytes), boolean, uint32. Keeps the lists; false when malformed. */
static bool parse_kexinit(struct sn_ssh_side *sd, const uint8_t *p, uint32_t n)
{
    uint32_t off = 16, total = 0, lens[SN_SSH_NLISTS], offs[SN_SSH_NLISTS];
    char *lists;

    if (n < 16)
        return false;
    for (int k = 0; k < SN_SSH_NLISTS; k++) {
        if (n - off < 4)
            return false;
        lens[k] = cs_get_be32(p + off);
        off += 4;
        if (lens[k] > n - off)
            return false;
        offs[k] = off;
        off += lens[k];
        total += lens[k] + 1;
    }
    if (n - off < 5)
        return false;
    lists = cs_malloc(total);
    if (!lists)
        return false;
    total = 0;
    for (int k = 0; k < SN_SSH_NLISTS; k++) {
        memcpy(lists + total, p + offs[k], lens[k]);
        lists[total + lens[k]] = 0;
        sd->list_off[k] = total;
        sd->list_len[k] = lens[k];
        total += lens[k] + 1;
    }
    cs_free(sd->lists);
    sd->lists = lists;
    return true;
}

/* Banner states. Returns bytes consumed, 0 when more data is needed. */
static uint32_t step_banner(struct sn_worker *w, struct sn_flow *f, struct sn_ssh_state *s,
                            struct sn_ssh_side *sd, int dir, const uint8_t *d, uint32_t n, bool eof)
{
    const uint8_t *nl;
    uint32_t ll, cut;

    if (n < 4 && !eof && memcmp(d, "SSH-", n) == 0)
        return 0;
    if (n < 4 || memcmp(d, "SSH-", 4) != 0) {
        /* RFC 4253 4.2: a server may send other lines first; a client may not */
        if (dir == SN_TOCLIENT) {
            sd->st = ST_PRE_LINE;
            return 0;
        }
        raise_event(w, f, sd, EV_INVALID_BANNER);
        sd->st = ST_DONE;
        return 0;
    }
    nl = memchr(d, '\n', CS_MIN(n, (uint32_t)SSH_MAX_BANNER + 2));
    if (!nl && n <= SSH_MAX_BANNER + 1 && !eof)
        return 0;
    if (nl) {
        ll = (uint32_t)(nl - d);
        cut = ll + 1;
        if (ll && d[ll - 1] == '\r')
            ll--;
    } else {
        ll = n;
        cut = n;
    }
    if (ll > SSH_MAX_BANNER) {
        raise_event(w, f, sd, EV_LONG_BANNER);
        ll = SSH_MAX_BANNER;
        if (!nl) {
            cut = SSH_MAX_BANNER;
            sd->st = ST_BANNER_EOL;
        }
    }
    if (!parse_banner(sd, d, ll)) {
        raise_event(w, f, sd, EV_INVALID_BANNER);
        sd->st = ST_DONE;
        return cut;
    }
    if (sd->st != ST_BANNER_EOL)
        sd->st = after_banner(s);
    sn_app_detect(w, f, dir, s, "ssh");
    return cut;
}

/* One binary packet header (and KEXINIT body). Returns bytes consumed, 0: need more. */
static uint32_t step_record(struct sn_worker *w, struct sn_flow *f, struct sn_ssh_state *s,
                            struct sn_ssh_side *sd, int dir, const uint8_t *d, uint32_t n)
{
    uint32_t plen, total;
    uint8_t pad, code;

    if (n < 6)
        return 0;
    plen = cs_get_be32(d);
    pad = d[4];
    code = d[5];
    if (plen < 2 || plen > SSH_MAX_PACKET || pad > plen - 2) {
        raise_event(w, f, sd, EV_INVALID_RECORD);
        sd->st = ST_DONE;
        return n;
    }
    total = plen + 4;
    if (code == SSH_MSG_NEWKEYS) {
        sd->newkeys = true;
        sd->st = ST_DONE;
        return n;
    }
    if (code == SSH_MSG_KEXINIT && !sd->lists && total <= SSH_MAX_KEXINIT) {
        if (n < total)
            return 0;
        if (parse_kexinit(sd, d + 6, plen - pad - 2)) {
            if (s->hassh_on)
                hassh_compute(sd, dir);
            sn_app_detect(w, f, dir, s, "ssh");
        }
        return total;
    }
    if (n >= total)
        return total;
    sd->skip = total - n;
    sd->st = ST_SKIP;
    return n;
}

static bool side_finished(const struct sn_ssh_side *sd)
{
    return sd->st == ST_DONE || sd->eof;
}

/* The `ssh` object: each side seen, with its HASSH when logging of it is on. */
static void json_ssh(struct cs_json *j, const struct sn_ssh_state *s)
{
    static const char *const names[2] = {"client", "server"};

    cs_json_open(j, "ssh");
    for (int d = 0; d < 2; d++) {
        const struct sn_ssh_side *sd = &s->side[d];
        if (!sd->proto)
            continue;
        cs_json_open(j, names[d]);
        cs_json_str(j, "proto_version", sd->proto);
        if (sd->software && sd->software[0])
            cs_json_str(j, "software_version", sd->software);
        if (s->hassh_log && sd->hassh[0]) {
            cs_json_open(j, "hassh");
            cs_json_str(j, "hash", sd->hassh);
            cs_json_str(j, "string", sd->hassh_string);
            cs_json_close(j);
        }
        cs_json_close(j);
    }
    cs_json_close(j);
}

static void log_record(struct sn_worker *w, const struct sn_flow *f, struct sn_ssh_state *s)
{
    struct cs_json *j;

    s->logged = true;
    if (!s->side[0].proto && !s->side[1].proto)
        return;
    j = sn_app_eve_begin(w, f, SN_EVE_SSH, "ssh");
    if (!j)
        return;
    json_ssh(j, s);
    sn_app_eve_end(w, j);
}

/* Alert metadata: one transaction per flow (tx_id 0) and the `ssh` object as it stands. */
static void ssh_log_alert(struct sn_worker *w, const struct sn_flow *f, const void *state,
                          const void *tx, int dir, struct cs_json *j)
{
    const struct sn_ssh_state *s = tx;

    (void)w, (void)f, (void)state, (void)dir;
    cs_json_uint(j, "tx_id", 0);
    if (s->side[0].proto || s->side[1].proto)
        json_ssh(j, s);
}

static int ssh_parse(struct sn_worker *w, struct sn_flow *f, void *state, int dir,
                     const uint8_t *data, uint32_t len, unsigned flags)
{
    struct sn_ssh_state *s = state;
    struct sn_ssh_side *sd = &s->side[dir & 1];
    bool eof = (flags & (SN_STREAM_EOF | SN_STREAM_DEPTH)) != 0;
    uint32_t off = 0;

    if (!s->cfg_read)
        read_cfg(w, s);
    if (!data) {
        if (flags & SN_STREAM_GAP)
            sd->st = ST_DONE; /* cannot resynchronise */
        data = (const uint8_t *)"";
        len = 0;
    }
    while (off < len && sd->st != ST_DONE) {
        const uint8_t *d = data + off;
        uint32_t n = len - off, used = 0;
        const uint8_t *nl;

        switch (sd->st) {
        case ST_BANNER:
            used = step_banner(w, f, s, sd, dir, d, n, eof);
            if (!used && sd->st == ST_BANNER)
                goto out;
            break;
        case ST_PRE_LINE:
        case ST_BANNER_EOL:
            nl = memchr(d, '\n', n);
            used = nl ? (uint32_t)(nl - d) + 1 : n;
            if (sd->st == ST_PRE_LINE) {
                sd->pre_banner += used;
                if (sd->pre_banner > SSH_MAX_PRE_BANNER) {
                    raise_event(w, f, sd, EV_INVALID_BANNER);
                    sd->st = ST_DONE;
                    break;
                }
            }
            if (nl)
                sd->st = sd->st == ST_PRE_LINE ? ST_BANNER : after_banner(s);
            break;
        case ST_RECORDS:
            used = step_record(w, f, s, sd, dir, d, n);
            if (!used)
                goto out;
            break;
        case ST_SKIP:
            used = CS_MIN(n, sd->skip);
            sd->skip -= used;
            if (!sd->skip)
                sd->st = ST_RECORDS;
            break;
        default:
            break;
        }
        off += used;
    }
out:
    if (sd->st == ST_DONE || eof)
        off = len; /* encrypted or unparseable: nothing to keep */
    if (eof)
        sd->eof = true;
    if (!s->logged && side_finished(&s->side[0]) && side_finished(&s->side[1]))
        log_record(w, f, s);
    return (int)off;
}

bool sn_ssh_buffer(const void *state, int dir, enum sn_ssh_buf which, const uint8_t **p,
                   uint32_t *len)
{
    const struct sn_ssh_state *s = state;
    const char *v = NULL;

    if (!s)
        return false;
    switch (which) {
    case SN_SSH_BUF_PROTO:
        v = s->side[dir & 1].proto;
        break;
    case SN_SSH_BUF_SOFTWARE:
        v = s->side[dir & 1].software;
        break;
    case SN_SSH_BUF_HASSH:
        v = s->side[SN_TOSERVER].hassh[0] ? s->side[SN_TOSERVER].hassh : NULL;
        break;
    case SN_SSH_BUF_HASSH_STRING:
        v = s->side[SN_TOSERVER].hassh_string;
        break;
    case SN_SSH_BUF_HASSH_SERVER:
        v = s->side[SN_TOCLIENT].hassh[0] ? s->side[SN_TOCLIENT].hassh : NULL;
        break;
    case SN_SSH_BUF_HASSH_SERVER_STRING:
        v = s->side[SN_TOCLIENT].hassh_string;
        break;
    }
    if (!v)
        return false;
    *p = (const uint8_t *)v;
    *len = (uint32_t)strlen(v);
    return true;
}

const struct sn_app_parser sn_app_ssh = {
    .name = "ssh",
    .ipproto = IPPROTO_TCP,
    .default_ports = "22",
    .eve_type = SN_EVE_SSH,
    .probe = ssh_probe,
    .parse = ssh_parse,
    .state_new = ssh_state_new,
    .state_free = ssh_state_free,
    .log_flow = NULL,
    .log_alert = ssh_log_alert,
    .max_state_bytes = SSH_MAX_KEXINIT + 4096,
};
