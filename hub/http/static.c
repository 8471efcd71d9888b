/* static.c — the console's static files under a web root (see static.h for the rules). */
#include "static.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct hub_static {
    int root_fd;
};

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"txt", "text/plain; charset=utf-8"},
};

/* Pages may load and fetch from the hub only; ECharts sets inline styles, hence style-src. */
#define CSP                                                                                        \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "                    \
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "          \
    "form-action 'self'"

int hub_static_open(const char *root, struct hub_static **out, struct cs_err *err)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        cs_err_set(err, CS_EIO, 0, 0, "web root %s: %s", root, strerror(errno));
        return CS_EIO;
    }
    struct hub_static *s = cs_calloc(1, sizeof(*s));
    if (!s) {
        close(fd);
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    s->root_fd = fd;
    *out = s;
    return CS_OK;
}

void hub_static_free(struct hub_static *s)
{
    if (!s)
        return;
    close(s->root_fd);
    cs_free(s);
}

static bool seg_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '~' || c == '@' || c == '+';
}

bool hub_static_path_ok(const char *path)
{
    if (!path || path[0] != '/' || strlen(path) > 512)
        return false;
    if (path[1] == 0)
        return true;
    int depth = 0;
    const char *p = path + 1;
    for (;;) {
        const char *e = p;
        while (*e && *e != '/')
            e++;
        if (e == p || *p == '.' || ++depth > HUB_STATIC_MAX_DEPTH)
            return false; /* empty segment ("//", trailing "/"), dot segment, too deep */
        for (const char *c = p; c < e; c++)
            if (!seg_char_ok(*c))
                return false;
        if (e - p == 12 && memcmp(p, "node_modules", 12) == 0)
            return false; /* the web root's npm tree (tests, tools) is not the console */
        if (!*e)
            return true;
        p = e + 1;
    }
}

/* Opens rel ("a/b/c.js") under dirfd one component at a time without following symbolic
 * links. Returns the descriptor or -1 (errno set). */
static int open_beneath(int dirfd, const char *rel)
{
    char buf[520];
    snprintf(buf, sizeof(buf), "%s", rel);
    int cur = dirfd;
    char *seg = buf;
    for (;;) {
        char *slash = strchr(seg, '/');
        if (slash)
            *slash = 0;
        int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (slash ? O_DIRECTORY : O_NONBLOCK);
        int fd = openat(cur, seg, flags);
        int saved = errno;
        if (cur != dirfd)
            close(cur);
        if (fd < 0) {
            errno = saved;
            return -1;
        }
        if (!slash)
            return fd;
        cur = fd;
        seg = slash + 1;
    }
}

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < CS_ARRAY_LEN(content_types); i++)
            if (strcmp(dot + 1, content_types[i].ext) == 0)
                return content_types[i].type;
    return "application/octet-stream";
}

/* Opens a regular file; -1 if absent, not regular, or unreadable. */
static int open_file(const struct hub_static *s, const char *rel, struct stat *st)
{
    int fd = open_beneath(s->root_fd, rel);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

void hub_static_serve(const struct hub_static *s, const struct hub_http_req *req,
                      struct hub_http_resp *w)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        hub_http_error(w, 405, "method_not_allowed", "%s is not allowed here", req->method);
        hub_http_resp_header(w, "Allow", "GET, HEAD");
        return;
    }
    if (!hub_static_path_ok(req->path)) {
        hub_http_error(w, 400, "invalid_path", "this path is not served");
        return;
    }
    const char *rel = req->path[1] ? req->path + 1 : "index.html";
    struct stat st;
    int fd = open_file(s, rel, &st);
    if (fd < 0) {
        const char *last = strrchr(req->path, '/') + 1;
        if (strchr(last, '.')) {
            hub_http_error(w, 404, "not_found", "no such file");
            return;
        }
        rel = "index.html"; /* a client route of the console */
        if ((fd = open_file(s, rel, &st)) < 0) {
            hub_http_error(w, 404, "not_found", "no console here (index.html is missing)");
            return;
        }
    }
    char etag[64];
    snprintf(etag, sizeof(etag), "\"%" PRIx64 "-%" PRIx64 "-%lx\"", (uint64_t)st.st_size,
             (uint64_t)st.st_mtim.tv_sec, (unsigned long)st.st_mtim.tv_nsec);
    const char *type = type_of(rel);
    hub_http_resp_header(w, "ETag", etag);
    hub_http_resp_header(w, "Cache-Control", "no-cache");
    if (strncmp(type, "text/html", 9) == 0) {
        hub_http_resp_header(w, "Content-Security-Policy", CSP);
        hub_http_resp_header(w, "X-Frame-Options", "DENY");
        hub_http_resp_header(w, "Referrer-Policy", "no-referrer");
    }
    const char *inm = hub_http_header(req, "If-None-Match");
    if (inm && strstr(inm, etag)) {
        close(fd);
        w->status = 304;
        return;
    }
    w->status = 200;
    hub_http_resp_file(w, fd, (uint64_t)st.st_size, type);
}
