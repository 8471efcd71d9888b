/* http.c — minimal HTTP/1.1 client: URL parsing, one POST per connection, response parser. */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* ---- URL --------------------------------------------------------------------------------- */

int sn_url_parse(const char *url, struct sn_url *u, struct cs_err *err)
{
    const char *p, *host, *hend, *port = NULL, *path;
    size_t hl, pl;

    memset(u, 0, sizeof(*u));
    if (!url || strncasecmp(url, "http://", 7) != 0) {
        if (url && strncasecmp(url, "https://", 8) == 0)
            cs_err_set(err, CS_EINVAL, 0, 0,
                       "hub url '%.200s': https is not supported by the built-in client; "
                       "use http:// to a local TLS terminator",
                       url);
        else
            cs_err_set(err, CS_EINVAL, 0, 0, "hub url '%.200s': expected http://host[:port][/path]",
                       url ? url : "");
        return CS_EINVAL;
    }
    p = url + 7;
    if (*p == '[') {
        host = p + 1;
        hend = strchr(host, ']');
        if (!hend)
            goto bad;
        p = hend + 1;
    } else {
        host = p;
        hend = p + strcspn(p, ":/?#");
        p = hend;
    }
    if (*p == ':') {
        port = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == port || p - port > 5 || atoi(port) < 1 || atoi(port) > 65535)
            goto bad;
    }
    if (*p && *p != '/')
        goto bad;
    path = *p ? p : "/";
    hl = (size_t)(hend - host);
    pl = strlen(path);
    if (hl == 0 || hl >= sizeof(u->host) || pl >= sizeof(u->path) || strchr(path, ' ') ||
        strpbrk(path, "\r\n"))
        goto bad;
    for (size_t i = 0; i < hl; i++)
        if ((unsigned char)host[i] <= ' ' || host[i] == '@')
            goto bad;
    memcpy(u->host, host, hl);
    if (port)
        snprintf(u->port, sizeof(u->port), "%.*s", (int)(p - port), port);
    else
        strcpy(u->port, "80");
    memcpy(u->path, path, pl + 1);
    return CS_OK;
bad:
    cs_err_set(err, CS_EINVAL, 0, 0, "hub url '%.200s': expected http://host[:port][/path]", url);
    return CS_EINVAL;
}

/* ---- response parser --------------------------------------------------------------------- */

/* The next line in buf[*pos..len): sets *ls and *ll (without CR LF); false when incomplete. */
static bool next_line(const char *buf, size_t len, size_t *pos, const char **ls, size_t *ll)
{
    const char *nl = memchr(buf + *pos, '\n', len - *pos);

    if (!nl)
        return false;
    *ls = buf + *pos;
    *ll = (size_t)(nl - *ls);
    if (*ll && (*ls)[*ll - 1] == '\r')
        (*ll)--;
    *pos = (size_t)(nl - buf) + 1;
    return true;
}

static void keep_body(struct sn_http_resp *r, const char *p, size_t n)
{
    size_t have = r->body_len < SN_HTTP_BODY_KEEP ? r->body_len : SN_HTTP_BODY_KEEP;
    size_t take = SN_HTTP_BODY_KEEP - have < n ? SN_HTTP_BODY_KEEP - have : n;

    memcpy(r->body + have, p, take);
    r->body[have + take] = 0;
    r->body_len += n;
}

static bool header_is(const char *ls, size_t ll, const char *name, const char **v, size_t *vl)
{
    size_t nl = strlen(name);

    if (ll <= nl || strncasecmp(ls, name, nl) != 0 || ls[nl] != ':')
        return false;
    *v = ls + nl + 1;
    *vl = ll - nl - 1;
    while (*vl && (**v == ' ' || **v == '\t'))
        (*v)++, (*vl)--;
    while (*vl && ((*v)[*vl - 1] == ' ' || (*v)[*vl - 1] == '\t'))
        (*vl)--;
    return true;
}

static bool has_token(const char *v, size_t vl, const char *tok)
{
    size_t tl = strlen(tok);

    for (size_t i = 0; i + tl <= vl; i++)
        if (strncasecmp(v + i, tok, tl) == 0 && (i == 0 || v[i - 1] == ' ' || v[i - 1] == ',') &&
            (i + tl == vl || v[i + tl] == ' ' || v[i + tl] == ',' || v[i + tl] == ';'))
            return true;
    return false;
}

/* Body in chunked coding from buf[pos..len): the end offset, CS_AGAIN or CS_EINVAL. */
static int parse_chunked(const char *buf, size_t len, size_t pos, struct sn_http_resp *r)
{
    for (;;) {
        const char *ls;
        size_t ll, i = 0;
        uint64_t size = 0;

        if (!next_line(buf, len, &pos, &ls, &ll))
            return CS_AGAIN;
        for (; i < ll; i++) {
            char c = ls[i];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                break;
            if (size > (SN_HTTP_RESP_MAX >> 4))
                return CS_EINVAL;
            size = size * 16 + (uint64_t)d;
        }
        if (i == 0 || (i < ll && ls[i] != ';' && ls[i] != ' ' && ls[i] != '\t'))
            return CS_EINVAL;
        if (size == 0) { /* trailers, then an empty line */
            for (;;) {
                if (!next_line(buf, len, &pos, &ls, &ll))
                    return CS_AGAIN;
                if (ll == 0)
                    return (int)pos;
            }
        }
        if (len - pos < size + 2) {
            if (len - pos >= size + 1 && buf[pos + size] != '\r' && buf[pos + size] != '\n')
                return CS_EINVAL;
            return CS_AGAIN;
        }
        keep_body(r, buf + pos, (size_t)size);
        pos += (size_t)size;
        if (buf[pos] == '\r' && buf[pos + 1] == '\n')
            pos += 2;
        else if (buf[pos] == '\n')
            pos += 1;
        else
            return CS_EINVAL;
    }
}

int sn_http_resp_parse(const char *buf, size_t len, bool eof, struct sn_http_resp *r)
{
    const char *ls, *v;
    size_t ll, vl, pos = 0;
    uint64_t clen = 0;
    bool have_clen = false, chunked = false;

    memset(r, 0, sizeof(*r));
    if (len > SN_HTTP_RESP_MAX)
        len = SN_HTTP_RESP_MAX;
    if (!next_line(buf, len, &pos, &ls, &ll))
        return len >= 8 && memcmp(buf, "HTTP/1.", len < 7 ? len : 7) != 0 ? CS_EINVAL : CS_AGAIN;
    /* HTTP/1.x SSS[ reason] */
    if (ll < 12 || memcmp(ls, "HTTP/1.", 7) != 0 || (ls[7] != '0' && ls[7] != '1') ||
        ls[8] != ' ' || ls[9] < '1' || ls[9] > '5' || ls[10] < '0' || ls[10] > '9' ||
        ls[11] < '0' || ls[11] > '9' || (ll > 12 && ls[12] != ' '))
        return CS_EINVAL;
    r->status = (ls[9] - '0') * 100 + (ls[10] - '0') * 10 + (ls[11] - '0');
    if (r->status < 200)
        return CS_EINVAL;
    for (;;) {
        if (!next_line(buf, len, &pos, &ls, &ll))
            return CS_AGAIN;
        if (ll == 0)
            break;
        if (ls[0] == ' ' || ls[0] == '\t' || !memchr(ls, ':', ll))
            return CS_EINVAL; /* obsolete folding or not a header */
        if (header_is(ls, ll, "Content-Length", &v, &vl)) {
            uint64_t n = 0;
            if (vl == 0 || vl > 12)
                return CS_EINVAL;
            for (size_t i = 0; i < vl; i++) {
                if (v[i] < '0' || v[i] > '9')
                    return CS_EINVAL;
                n = n * 10 + (uint64_t)(v[i] - '0');
            }
            if (have_clen && n != clen)
                return CS_EINVAL;
            clen = n;
            have_clen = true;
        } else if (header_is(ls, ll, "Transfer-Encoding", &v, &vl)) {
            chunked = has_token(v, vl, "chunked");
            if (!chunked)
                return CS_EINVAL; /* only chunked is understood */
        }
    }
    if (r->status == 204 || r->status == 304)
        return (int)pos;
    if (chunked)
        return parse_chunked(buf, len, pos, r);
    if (have_clen) {
        if (clen > SN_HTTP_RESP_MAX)
            return CS_EINVAL;
        if (len - pos < clen)
            return CS_AGAIN;
        keep_body(r, buf + pos, (size_t)clen);
        return (int)(pos + clen);
    }
    if (!eof)
        return CS_AGAIN;
    keep_body(r, buf + pos, len - pos);
    return (int)len;
}

/* ---- the client -------------------------------------------------------------------------- */

static int connect_to(const struct sn_url *u, int timeout_ms, struct cs_err *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai, *a;
    int fd = -1, rc = getaddrinfo(u->host, u->port, &hints, &ai);
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};

    if (rc != 0) {
        cs_err_set(err, CS_EIO, 0, 0, "cannot resolve %s: %s", u->host, gai_strerror(rc));
        return -1;
    }
    for (a = ai; a; a = a->ai_next) {
        struct pollfd pfd;
        int soerr = 0;
        socklen_t sl = sizeof(soerr);

        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS)
            goto next;
        pfd = (struct pollfd){.fd = fd, .events = POLLOUT};
        if (poll(&pfd, 1, timeout_ms) != 1 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
            errno = soerr ? soerr : ETIMEDOUT;
            goto next;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        break;
    next:
        cs_err_set(err, CS_EIO, 0, 0, "cannot connect to %s:%s: %s", u->host, u->port,
                   strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static int send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return CS_EIO;
        p += n;
        len -= (size_t)n;
    }
    return CS_OK;
}

int sn_http_post(const struct sn_url *u, const char *const *hdr, size_t nhdr, const void *body,
                 size_t len, int timeout_ms, struct sn_http_resp *r, struct cs_err *err)
{
    char *head = NULL, *in = NULL;
    size_t hcap = 1024 + strlen(u->path) + strlen(u->host), hlen, inlen = 0;
    int fd, rc;

    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < nhdr; i++)
        hcap += strlen(hdr[i]) + 2;
    head = cs_malloc(hcap);
    in = cs_malloc(SN_HTTP_RESP_MAX);
    if (!head || !in) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        rc = CS_ENOMEM;
        goto out_free;
    }
    hlen = (size_t)snprintf(head, hcap,
                            "POST %s HTTP/1.1\r\nHost: %s%s%s:%s\r\nContent-Length: %zu\r\n"
                            "Connection: close\r\n",
                            u->path, strchr(u->host, ':') ? "[" : "", u->host,
                            strchr(u->host, ':') ? "]" : "", u->port, len);
    for (size_t i = 0; i < nhdr; i++)
        hlen += (size_t)snprintf(head + hlen, hcap - hlen, "%s\r\n", hdr[i]);
    hlen += (size_t)snprintf(head + hlen, hcap - hlen, "\r\n");

    fd = connect_to(u, timeout_ms, err);
    if (fd < 0) {
        rc = CS_EIO;
        goto out_free;
    }
    if (send_all(fd, head, hlen) != CS_OK || (len && send_all(fd, body, len) != CS_OK)) {
        /* the server may have answered early (413, 401) and closed: read what it said */
        cs_err_set(err, CS_EIO, 0, 0, "sending to %s:%s: %s", u->host, u->port, strerror(errno));
    }
    for (;;) {
        ssize_t n = recv(fd, in + inlen, SN_HTTP_RESP_MAX - inlen, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cs_err_set(err, CS_EIO, 0, 0, "no answer from %s:%s: %s", u->host, u->port,
                       errno == EAGAIN ? "timed out" : strerror(errno));
            rc = CS_EIO;
            break;
        }
        inlen += (size_t)n;
        rc = sn_http_resp_parse(in, inlen, n == 0, r);
        if (rc > 0) {
            rc = CS_OK;
            break;
        }
        if (rc == CS_AGAIN && n == 0) {
            cs_err_set(err, CS_EIO, 0, 0, "%s:%s closed the connection %s", u->host, u->port,
                       inlen ? "mid-response" : "without answering");
            rc = CS_EIO;
            break;
        }
        if (rc == CS_EINVAL) {
            cs_err_set(err, CS_EINVAL, 0, 0, "malformed response from %s:%s", u->host, u->port);
            break;
        }
        if (inlen == SN_HTTP_RESP_MAX) {
            cs_err_set(err, CS_ELIMIT, 0, 0, "response from %s:%s too large", u->host, u->port);
            rc = CS_ELIMIT;
            break;
        }
    }
    close(fd);
out_free:
    cs_free(head);
    cs_free(in);
    return rc;
}
