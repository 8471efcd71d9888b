/* getbuf.c — sn_detect_get_buffer(): the bytes of each inspection buffer (buffers.def) for the
 * packet, flow or transaction under inspection.
 *
 * Packet-level header buffers come from t->p. App-layer buffers come from the transaction
 * t->tx of protocol t->tx_proto (what `tx` is per protocol is the contract in app/app.h).
 * Most buffers point straight into parser memory; the few that Suricata builds (http.header,
 * http.start, http.header_names, http.request_header…, DNS names) are assembled in
 * t->scratch[SN_GETBUF_SCRATCH], grown when too small and then reused, so the steady state
 * allocates nothing. Buffer contents follow Suricata's (docs/protocols/<proto>.md, "detection
 * buffers"). */
#include "detect.h"

#include "../app/app.h"
#include "../app/dnp3.h"
#include "../app/ftp.h"
#include "../app/dns.h"
#include "../app/http.h"
#include "../app/modbus.h"
#include "../app/smtp.h"
#include "../app/ssh.h"
#include "../app/tls.h"

#include <netinet/in.h>
#include <string.h>

/* ---- scratch ---------------------------------------------------------------------------- */

/* t->scratch[SN_GETBUF_SCRATCH] with room for `need` bytes, or NULL (allocation failed). */
static uint8_t *scratch(struct sn_detect_thread *t, uint32_t need)
{
    uint8_t **p = &t->scratch[SN_GETBUF_SCRATCH];
    uint32_t *cap = &t->scratch_cap[SN_GETBUF_SCRATCH];

    if (*cap < need) {
        uint32_t ncap = *cap ? *cap : 1024;
        uint8_t *nb;
        while (ncap < need && ncap < (1u << 30))
            ncap *= 2;
        if (ncap < need)
            return NULL;
        nb = cs_realloc(*p, ncap);
        if (!nb)
            return NULL;
        *p = nb;
        *cap = ncap;
    }
    return *p;
}

static bool out(const void *p, uint32_t n, const uint8_t **data, uint32_t *len)
{
    *data = p;
    *len = n;
    return true;
}

/* A non-empty byte range, or false. */
static bool out_nz(const void *p, uint32_t n, const uint8_t **data, uint32_t *len)
{
    if (!p || !n)
        return false;
    return out(p, n, data, len);
}

static bool out_str(const char *s, const uint8_t **data, uint32_t *len)
{
    if (!s || !*s)
        return false;
    return out(s, (uint32_t)strlen(s), data, len);
}

/* ---- packet headers --------------------------------------------------------------------- */

static bool get_hdr(const struct sn_pkt *p, int buf, const uint8_t **data, uint32_t *len)
{
    if (!p)
        return false;
    switch (buf) {
    case SN_BUF_IPV4_HDR:
        if (p->ip_ver != 4 || !p->ip_hdr || !p->ip_hlen)
            return false;
        return out(p->ip_hdr, p->ip_hlen, data, len);
    case SN_BUF_IPV6_HDR: /* the fixed header, as Suricata's ipv6.hdr */
        if (p->ip_ver != 6 || !p->ip_hdr)
            return false;
        return out(p->ip_hdr, 40, data, len);
    case SN_BUF_TCP_HDR:
        if (p->proto != IPPROTO_TCP || !p->l4_hdr || !p->l4_hlen)
            return false;
        return out(p->l4_hdr, p->l4_hlen, data, len);
    case SN_BUF_UDP_HDR:
        if (p->proto != IPPROTO_UDP || !p->l4_hdr)
            return false;
        return out(p->l4_hdr, 8, data, len);
    case SN_BUF_ICMPV4_HDR:
        if (p->ip_ver != 4 || p->proto != IPPROTO_ICMP || !p->l4_hdr || !p->l4_hlen)
            return false;
        return out(p->l4_hdr, p->l4_hlen, data, len);
    case SN_BUF_ICMPV6_HDR:
        if (p->ip_ver != 6 || p->proto != IPPROTO_ICMPV6 || !p->l4_hdr || !p->l4_hlen)
            return false;
        return out(p->l4_hdr, p->l4_hlen, data, len);
    }
    return false;
}

/* ---- HTTP ------------------------------------------------------------------------------- */

static bool ieq(const uint8_t *a, uint32_t n, const char *b)
{
    if (strlen(b) != n)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        if (c != (uint8_t)b[i])
            return false;
    }
    return true;
}

static bool http_hdr_value(const struct sn_http_hdrs *h, const char *name, const uint8_t **data,
                           uint32_t *len)
{
    uint32_t n;
    const uint8_t *v = sn_http_header_get(h, name, &n);

    if (!v)
        return false;
    return out(v, n, data, len);
}

/* "Name: value\r\n" per header (skipping `skip`, may be NULL), preceded by `line` + CRLF when
 * line is given and followed by CRLF when `end`. */
static bool http_hdr_block(struct sn_detect_thread *t, const struct sn_http_hdrs *h,
                           const struct sn_http_buf *line, const char *skip, bool end,
                           const uint8_t **data, uint32_t *len)
{
    uint64_t need = (line ? line->len + 2 : 0) + 2;
    uint8_t *b;
    uint32_t o = 0;

    for (uint32_t i = 0; i < h->n; i++)
        need += h->h[i].name_len + h->h[i].val_len + 4;
    if (need > UINT32_MAX || !(b = scratch(t, (uint32_t)need)))
        return false;
    if (line) {
        memcpy(b, line->p, line->len);
        o = line->len;
        b[o++] = '\r';
        b[o++] = '\n';
    }
    for (uint32_t i = 0; i < h->n; i++) {
        const struct sn_http_hdr *e = &h->h[i];
        const uint8_t *nm = h->blob.p + e->name_off;
        if (skip && ieq(nm, e->name_len, skip))
            continue;
        memcpy(b + o, nm, e->name_len);
        o += e->name_len;
        b[o++] = ':';
        b[o++] = ' ';
        memcpy(b + o, h->blob.p + e->val_off, e->val_len);
        o += e->val_len;
        b[o++] = '\r';
        b[o++] = '\n';
    }
    if (end) {
        b[o++] = '\r';
        b[o++] = '\n';
    }
    if (!o)
        return false;
    return out(b, o, data, len);
}

/* "\r\nName1\r\nName2\r\n\r\n" */
static bool http_hdr_names(struct sn_detect_thread *t, const struct sn_http_hdrs *h,
                           const uint8_t **data, uint32_t *len)
{
    uint64_t need = 4;
    uint8_t *b;
    uint32_t o = 0;

    if (!h->n)
        return false;
    for (uint32_t i = 0; i < h->n; i++)
        need += h->h[i].name_len + 2;
    if (need > UINT32_MAX || !(b = scratch(t, (uint32_t)need)))
        return false;
    b[o++] = '\r';
    b[o++] = '\n';
    for (uint32_t i = 0; i < h->n; i++) {
        memcpy(b + o, h->blob.p + h->h[i].name_off, h->h[i].name_len);
        o += h->h[i].name_len;
        b[o++] = '\r';
        b[o++] = '\n';
    }
    b[o++] = '\r';
    b[o++] = '\n';
    return out(b, o, data, len);
}

/* Header idx as "Name: value" (http.request_header / http.response_header). */
static bool http_hdr_one(struct sn_detect_thread *t, const struct sn_http_hdrs *h, uint32_t idx,
                         const uint8_t **data, uint32_t *len)
{
    const struct sn_http_hdr *e;
    uint8_t *b;

    if (idx >= h->n)
        return false;
    e = &h->h[idx];
    if (!(b = scratch(t, e->name_len + e->val_len + 2)))
        return false;
    memcpy(b, h->blob.p + e->name_off, e->name_len);
    b[e->name_len] = ':';
    b[e->name_len + 1] = ' ';
    memcpy(b + e->name_len + 2, h->blob.p + e->val_off, e->val_len);
    return out(b, e->name_len + e->val_len + 2, data, len);
}

static bool get_http(struct sn_detect_thread *t, const struct sn_http_tx *tx, int buf,
                     uint32_t idx, const uint8_t **data, uint32_t *len)
{
    bool ts = t->dir == SN_TOSERVER;
    const struct sn_http_hdrs *h = ts ? &tx->req_hdrs : &tx->resp_hdrs;
    bool hdrs = (tx->progress & (ts ? SN_HTTP_REQ_HDRS : SN_HTTP_RESP_HDRS)) != 0;

    /* single-value buffers have only instance 0 */
    if (idx && buf != SN_BUF_HTTP_REQUEST_HEADER && buf != SN_BUF_HTTP_RESPONSE_HEADER)
        return false;
    switch (buf) {
    /* request side only */
    case SN_BUF_HTTP_URI:
        return ts && out_nz(tx->uri_norm.p, tx->uri_norm.len, data, len);
    case SN_BUF_HTTP_URI_RAW:
        return ts && out_nz(tx->uri_raw.p, tx->uri_raw.len, data, len);
    case SN_BUF_HTTP_METHOD:
        return ts && out_nz(tx->method.p, tx->method.len, data, len);
    case SN_BUF_HTTP_REQUEST_LINE:
        return ts && out_nz(tx->request_line.p, tx->request_line.len, data, len);
    case SN_BUF_HTTP_HOST:
        return ts && out_nz(tx->host.p, tx->host.len, data, len);
    case SN_BUF_HTTP_HOST_RAW:
        return ts && http_hdr_value(h, "Host", data, len);
    case SN_BUF_HTTP_USER_AGENT:
        return ts && http_hdr_value(h, "User-Agent", data, len);
    case SN_BUF_HTTP_ACCEPT:
        return ts && http_hdr_value(h, "Accept", data, len);
    case SN_BUF_HTTP_ACCEPT_ENC:
        return ts && http_hdr_value(h, "Accept-Encoding", data, len);
    case SN_BUF_HTTP_ACCEPT_LANG:
        return ts && http_hdr_value(h, "Accept-Language", data, len);
    case SN_BUF_HTTP_REFERER:
        return ts && http_hdr_value(h, "Referer", data, len);
    case SN_BUF_HTTP_REQUEST_BODY:
        return ts && out_nz(tx->req_body.p, tx->req_body.len, data, len);
    case SN_BUF_HTTP_REQUEST_HEADER:
        return ts && http_hdr_one(t, h, idx, data, len);
    /* response side only */
    case SN_BUF_HTTP_STAT_CODE:
        return !ts && out_nz(tx->stat_code.p, tx->stat_code.len, data, len);
    case SN_BUF_HTTP_STAT_MSG:
        return !ts && out_nz(tx->stat_msg.p, tx->stat_msg.len, data, len);
    case SN_BUF_HTTP_RESPONSE_LINE:
        return !ts && out_nz(tx->response_line.p, tx->response_line.len, data, len);
    case SN_BUF_HTTP_LOCATION:
        return !ts && http_hdr_value(h, "Location", data, len);
    case SN_BUF_HTTP_SERVER:
        return !ts && http_hdr_value(h, "Server", data, len);
    case SN_BUF_HTTP_RESPONSE_BODY:
        return !ts && out_nz(tx->resp_body.p, tx->resp_body.len, data, len);
    case SN_BUF_HTTP_RESPONSE_HEADER:
        return !ts && http_hdr_one(t, h, idx, data, len);
    /* either side: the message of direction t->dir */
    case SN_BUF_HTTP_PROTOCOL:
        return ts ? out_nz(tx->protocol.p, tx->protocol.len, data, len)
                  : out_nz(tx->resp_protocol.p, tx->resp_protocol.len, data, len);
    case SN_BUF_HTTP_COOKIE:
        return http_hdr_value(h, ts ? "Cookie" : "Set-Cookie", data, len);
    case SN_BUF_HTTP_CONNECTION:
        return http_hdr_value(h, "Connection", data, len);
    case SN_BUF_HTTP_CONTENT_LEN:
        return http_hdr_value(h, "Content-Length", data, len);
    case SN_BUF_HTTP_CONTENT_TYPE:
        return http_hdr_value(h, "Content-Type", data, len);
    case SN_BUF_HTTP_HEADER:
        return hdrs && http_hdr_block(t, h, NULL, ts ? "cookie" : "set-cookie", false, data, len);
    case SN_BUF_HTTP_HEADER_RAW:
        return hdrs && out_nz(h->raw.p, h->raw.len, data, len);
    case SN_BUF_HTTP_START:
        if (!hdrs)
            return false;
        return http_hdr_block(t, h, ts ? &tx->request_line : &tx->response_line, NULL, true,
                              data, len);
    case SN_BUF_HTTP_HEADER_NAMES:
        return hdrs && http_hdr_names(t, h, data, len);
    case SN_BUF_FILE_DATA:
        return ts ? out_nz(tx->req_body.p, tx->req_body.len, data, len)
                  : out_nz(tx->resp_body.p, tx->resp_body.len, data, len);
    case SN_BUF_FILE_NAME: {
        uint32_t n;
        const uint8_t *v = sn_http_file_name(tx, t->dir, &n);
        return v && out(v, n, data, len);
    }
    }
    return false;
}

/* ---- DNS -------------------------------------------------------------------------------- */

/* dns.response.rrname instance idx: through the sections in order, each entry's owner name
 * and then, for resource records whose rdata is a domain name (CNAME, NS, PTR, MX, SRV, SOA),
 * that name (Suricata 8). */
static bool dns_response_name(struct sn_detect_thread *t, const struct sn_dns_msg *m,
                              uint32_t idx, const uint8_t **data, uint32_t *len)
{
    uint32_t k = 0;
    uint8_t *b = scratch(t, SN_DNS_NAME_BUF);

    if (!b)
        return false;
    for (int s = SN_DNS_QUERY; s < SN_DNS_NSECTIONS; s++) {
        const struct sn_dns_rr *rr;
        for (uint32_t i = 0; (rr = sn_dns_entry(m, (enum sn_dns_section)s, i)) != NULL; i++) {
            int n;
            if (k++ == idx)
                return out(b, sn_dns_name(m, rr, (char *)b), data, len);
            if (s == SN_DNS_QUERY || (n = sn_dns_rdata_name(m, rr, (char *)b)) < 0)
                continue;
            if (k++ == idx)
                return out(b, (uint32_t)n, data, len);
        }
    }
    return false;
}

static bool get_dns(struct sn_detect_thread *t, const struct sn_dns_msg *m, int buf, uint32_t idx,
                    const uint8_t **data, uint32_t *len)
{
    enum sn_dns_section sec;
    const struct sn_dns_rr *rr;
    uint8_t *b;
    uint32_t n;

    switch (buf) {
    case SN_BUF_DNS_QUERY: /* queries of requests */
        if (t->dir != SN_TOSERVER)
            return false;
        sec = SN_DNS_QUERY;
        break;
    case SN_BUF_DNS_QUERIES_RRNAME:
        sec = SN_DNS_QUERY;
        break;
    case SN_BUF_DNS_ANSWER_NAME:
    case SN_BUF_DNS_ANSWERS_RRNAME:
        sec = SN_DNS_ANSWER;
        break;
    case SN_BUF_DNS_AUTHORITIES_RRNAME:
        sec = SN_DNS_AUTHORITY;
        break;
    case SN_BUF_DNS_ADDITIONALS_RRNAME:
        sec = SN_DNS_ADDITIONAL;
        break;
    case SN_BUF_DNS_RESPONSE_RRNAME:
        return t->dir == SN_TOCLIENT && dns_response_name(t, m, idx, data, len);
    default:
        return false;
    }
    rr = sn_dns_entry(m, sec, idx);
    if (!rr || !(b = scratch(t, SN_DNS_NAME_BUF)))
        return false;
    n = sn_dns_name(m, rr, (char *)b);
    return out(b, n, data, len); /* the root name is an empty buffer */
}

/* ---- TLS -------------------------------------------------------------------------------- */

static bool get_tls(struct sn_detect_thread *t, const struct sn_tls_state *st, int buf,
                    uint32_t idx, const uint8_t **data, uint32_t *len)
{
    bool ts = t->dir == SN_TOSERVER;
    /* certificates of the direction: the server's chain to the client, the client's to the
     * server */
    const struct sn_tls_cert *certs = ts ? st->client_certs : st->certs;
    uint16_t ncerts = ts ? st->nclient_certs : st->ncerts;
    const struct sn_tls_hello *h = ts ? &st->client : &st->server;

    if (idx && buf != SN_BUF_TLS_CERTS && buf != SN_BUF_TLS_ALPN)
        return false;
    switch (buf) {
    case SN_BUF_TLS_SNI:
        return ts && out_str(st->sni, data, len);
    case SN_BUF_TLS_CERT_SUBJECT:
        return ncerts && out_str(certs[0].subject, data, len);
    case SN_BUF_TLS_CERT_ISSUER:
        return ncerts && out_str(certs[0].issuer, data, len);
    case SN_BUF_TLS_CERT_SERIAL:
        return ncerts && out_str(certs[0].serial, data, len);
    case SN_BUF_TLS_CERT_FINGERPRINT:
        return ncerts && out_str(certs[0].fingerprint, data, len);
    case SN_BUF_TLS_CERTS:
        return idx < ncerts && out_nz(certs[idx].der, certs[idx].der_len, data, len);
    case SN_BUF_TLS_ALPN:
        return h->seen && idx < h->nalpn && out_str(h->alpn[idx], data, len);
    case SN_BUF_JA3_HASH:
        return ts && out_str(st->ja3_hash, data, len);
    case SN_BUF_JA3_STRING:
        return ts && out_str(st->ja3_str, data, len);
    case SN_BUF_JA4_HASH:
        return ts && out_str(st->ja4, data, len);
    case SN_BUF_JA3S_HASH:
        return !ts && out_str(st->ja3s_hash, data, len);
    case SN_BUF_JA3S_STRING:
        return !ts && out_str(st->ja3s_str, data, len);
    case SN_BUF_TLS_CERT_CHAIN_LEN:
        /* In Suricata tls.cert_chain_len is an integer keyword, not a byte buffer: there
         * are no bytes to give (see docs/protocols/tls.md). */
        return false;
    }
    return false;
}

/* ---- SSH -------------------------------------------------------------------------------- */

static bool get_ssh(struct sn_detect_thread *t, const void *st, int buf, uint32_t idx,
                    const uint8_t **data, uint32_t *len)
{
    if (idx)
        return false;
    switch (buf) {
    case SN_BUF_SSH_PROTO:
        return sn_ssh_buffer(st, t->dir, SN_SSH_BUF_PROTO, data, len);
    case SN_BUF_SSH_SOFTWARE:
        return sn_ssh_buffer(st, t->dir, SN_SSH_BUF_SOFTWARE, data, len);
    case SN_BUF_SSH_HASSH: /* the client's, to-server only */
        return t->dir == SN_TOSERVER && sn_ssh_buffer(st, t->dir, SN_SSH_BUF_HASSH, data, len);
    case SN_BUF_SSH_HASSH_SERVER:
        return t->dir == SN_TOCLIENT &&
               sn_ssh_buffer(st, t->dir, SN_SSH_BUF_HASSH_SERVER, data, len);
    case SN_BUF_SSH_HASSH_STRING:
        return t->dir == SN_TOSERVER &&
               sn_ssh_buffer(st, t->dir, SN_SSH_BUF_HASSH_STRING, data, len);
    case SN_BUF_SSH_HASSH_SERVER_STRING:
        return t->dir == SN_TOCLIENT &&
               sn_ssh_buffer(st, t->dir, SN_SSH_BUF_HASSH_SERVER_STRING, data, len);
    }
    return false;
}

/* SMTP: the session's HELO, the transaction's MAIL FROM and each RCPT TO (idx-th), client
 * side only. */
static bool get_smtp(struct sn_detect_thread *t, const struct sn_smtp_tx *tx, int buf,
                     uint32_t idx, const uint8_t **data, uint32_t *len)
{
    const struct sn_smtp_str *v = NULL;

    if (t->dir != SN_TOSERVER)
        return false;
    switch (buf) {
    case SN_BUF_SMTP_HELO:
        v = idx ? NULL : tx->helo;
        break;
    case SN_BUF_SMTP_MAIL_FROM:
        v = idx ? NULL : &tx->mail_from;
        break;
    case SN_BUF_SMTP_RCPT_TO:
        v = idx < tx->nrcpt ? &tx->rcpt_to[idx] : NULL;
        break;
    }
    if (!v || !v->p)
        return false;
    *data = (const uint8_t *)v->p;
    *len = v->n;
    return true;
}

/* FTP: the command verb and its argument, to-server only. */
static bool get_ftp(struct sn_detect_thread *t, const struct sn_ftp_tx *tx, int buf,
                    uint32_t idx, const uint8_t **data, uint32_t *len)
{
    if (t->dir != SN_TOSERVER || idx || !tx->command_len)
        return false;
    if (buf == SN_BUF_FTP_COMMAND) {
        *data = (const uint8_t *)tx->command;
        *len = tx->command_len;
        return true;
    }
    if (buf == SN_BUF_FTP_COMMAND_DATA && tx->arg) {
        *data = (const uint8_t *)tx->arg;
        *len = tx->arg_len;
        return true;
    }
    return false;
}

/* ---- industrial ------------------------------------------------------------------------- */

static bool get_modbus(struct sn_detect_thread *t, const struct sn_modbus_tx *tx, int buf,
                       uint32_t idx, const uint8_t **data, uint32_t *len)
{
    const struct sn_modbus_msg *m;

    if (idx || buf != SN_BUF_MODBUS_DATA)
        return false;
    if (t->dir == SN_TOSERVER ? !tx->has_req : !tx->has_resp)
        return false;
    m = t->dir == SN_TOSERVER ? &tx->req : &tx->resp;
    return out_nz(m->data, m->data_len, data, len);
}

static bool get_dnp3(const struct sn_dnp3_msg *m, int buf, uint32_t idx, const uint8_t **data,
                     uint32_t *len)
{
    if (idx || buf != SN_BUF_DNP3_DATA || !m->valid)
        return false;
    return out_nz(m->data, m->data_len, data, len);
}

/* ---- entry point ------------------------------------------------------------------------ */

bool sn_detect_get_buffer(struct sn_detect_thread *t, int buf, uint32_t idx,
                          const uint8_t **data, uint32_t *len)
{
    const char *proto;

    if (!t || buf <= SN_BUF_PKT || buf >= SN_BUF_MAX)
        return false;
    switch (buf) {
    case SN_BUF_IPV4_HDR:
    case SN_BUF_IPV6_HDR:
    case SN_BUF_TCP_HDR:
    case SN_BUF_UDP_HDR:
    case SN_BUF_ICMPV4_HDR:
    case SN_BUF_ICMPV6_HDR:
        return idx == 0 && get_hdr(t->p, buf, data, len);
    }
    if (!t->tx || !t->tx_proto)
        return false;
    proto = t->tx_proto;
    if (strcmp(proto, "http") == 0)
        return get_http(t, t->tx, buf, idx, data, len);
    if (strcmp(proto, "dns") == 0)
        return get_dns(t, t->tx, buf, idx, data, len);
    if (strcmp(proto, "tls") == 0)
        return get_tls(t, t->tx, buf, idx, data, len);
    if (strcmp(proto, "ssh") == 0)
        return get_ssh(t, t->tx, buf, idx, data, len);
    if (strcmp(proto, "modbus") == 0)
        return get_modbus(t, t->tx, buf, idx, data, len);
    if (strcmp(proto, "dnp3") == 0)
        return get_dnp3(t->tx, buf, idx, data, len);
    if (strcmp(proto, "smtp") == 0)
        return get_smtp(t, t->tx, buf, idx, data, len);
    if (strcmp(proto, "ftp") == 0)
        return get_ftp(t, t->tx, buf, idx, data, len);
    /* smb, dcerpc, krb5, sip, snmp, quic, http2, base64_data (the inspector's):
     * no parser fills them yet */
    return false;
}
