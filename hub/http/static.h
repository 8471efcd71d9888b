/* static.h — the console's static files: GET/HEAD of non-/api paths from a web root.
 *
 * Paths are checked before anything is opened: only [A-Za-z0-9._~@+-] segments, none empty,
 * none starting with '.' (no "..", no ".git"), none "node_modules" (the npm tree beside the
 * console is not served), at most HUB_STATIC_MAX_DEPTH of them; then the
 * file is opened one component at a time under the root's directory descriptor with
 * O_NOFOLLOW, so neither ".." nor a symbolic link leads outside the root. "/" is index.html;
 * a missing path whose last segment has no extension ("/alerts", "/events/42") is a client
 * route of the single-page console and answers index.html; any other missing path is 404.
 * Answers carry the content type from the extension, an ETag (size and mtime) honoured by
 * If-None-Match (304), "Cache-Control: no-cache" (revalidate: a new console is picked up at
 * once), and for HTML a Content-Security-Policy that allows only the hub itself.
 *
 * Thread safety: hub_static_serve may run on several threads at once. */
#ifndef HUB_HTTP_STATIC_H
#define HUB_HTTP_STATIC_H

#include "server.h"

#define HUB_STATIC_MAX_DEPTH 8

struct hub_static;

/* Opens the web root directory. CS_OK, or CS_EIO with err naming the path. */
int hub_static_open(const char *root, struct hub_static **out, struct cs_err *err);
/* NULL is a no-op. */
void hub_static_free(struct hub_static *s);

/* Answers req from the web root into w (a file, 304, or an error object: 400 for a path
 * that is refused, 404, 405 for a method other than GET/HEAD). */
void hub_static_serve(const struct hub_static *s, const struct hub_http_req *req,
                      struct hub_http_resp *w);

/* true if path is acceptable to serve (the lexical check above; exported for the tests). */
bool hub_static_path_ok(const char *path);

#endif
