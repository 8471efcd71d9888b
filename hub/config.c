/* config.c — hub configuration from YAML and defaults. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/cs_cfg.h"

void hub_config_defaults(struct hub_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen_buf[0], sizeof(c->listen_buf[0]), "127.0.0.1:8443");
    c->http.listen[0] = c->listen_buf[0];
    c->http.nlisten = 1;
    /* 4 per core, at least 4: an ingest request mostly waits for the database (a commit's
     * fsync, PostgreSQL's work), and the HTTP pool serves a connection on one thread, so
     * with as many threads as cores the cores idle while batches queue (docs/hub.md) */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    c->http.threads = ncpu > 1 ? (int)CS_MIN(4 * ncpu, 64) : 4;
    c->http.max_body = 16u << 20;
    c->http.max_header = 32u << 10;
    c->http.max_conns = 256;
    c->http.timeout_s = 30;
    snprintf(c->database, sizeof(c->database), "hub.db");
    snprintf(c->tail_format, sizeof(c->tail_format), "suricata-eve");
    snprintf(c->web_root, sizeof(c->web_root), "web");
    hub_api_cfg_default(&c->api);
}

static int str_to(struct cs_cfg *y, const char *key, char *out, size_t cap, struct cs_err *err)
{
    const char *v;
    if (!cs_cfg_get_str(y, key, &v))
        return CS_OK;
    if (strlen(v) >= cap) {
        cs_err_set(err, CS_EINVAL, 0, 0, "%s: value too long", key);
        return CS_EINVAL;
    }
    snprintf(out, cap, "%s", v);
    return CS_OK;
}

static int int_to(struct cs_cfg *y, const char *key, int64_t min, int64_t max, int64_t *out,
                  struct cs_err *err)
{
    int64_t v;
    if (!cs_cfg_has(y, key))
        return 1;
    if (!cs_cfg_get_int(y, key, &v) || v < min || v > max) {
        int line = 0, col = 0;
        cs_cfg_pos(y, key, &line, &col);
        cs_err_set(err, CS_EINVAL, line, col, "%s must be an integer in %lld..%lld", key,
                   (long long)min, (long long)max);
        return CS_EINVAL;
    }
    *out = v;
    return CS_OK;
}

static int size_to(struct cs_cfg *y, const char *key, uint64_t min, uint64_t max, size_t *out,
                   struct cs_err *err)
{
    uint64_t v;
    if (!cs_cfg_has(y, key))
        return CS_OK;
    if (!cs_cfg_get_size(y, key, &v) || v < min || v > max) {
        int line = 0, col = 0;
        cs_cfg_pos(y, key, &line, &col);
        cs_err_set(err, CS_EINVAL, line, col, "%s must be a size in %llu..%llu bytes", key,
                   (unsigned long long)min, (unsigned long long)max);
        return CS_EINVAL;
    }
    *out = (size_t)v;
    return CS_OK;
}

int hub_config_load(struct hub_config *c, const char *path, struct cs_err *err)
{
    struct cs_cfg *y = cs_cfg_new();
    if (!y) {
        cs_err_set(err, CS_ENOMEM, 0, 0, "out of memory");
        return CS_ENOMEM;
    }
    int rc = cs_cfg_load_file(y, path, err);
    if (rc)
        goto out;
    size_t n = cs_cfg_count(y, "listen");
    if (n > HUB_HTTP_MAX_LISTEN) {
        cs_err_set(err, CS_EINVAL, 0, 0, "at most %d listen addresses", HUB_HTTP_MAX_LISTEN);
        rc = CS_EINVAL;
        goto out;
    }
    if (n) {
        for (size_t i = 0; i < n; i++) {
            const char *v = cs_cfg_child_value(y, "listen", i);
            if (!v || strlen(v) >= sizeof(c->listen_buf[i])) {
                cs_err_set(err, CS_EINVAL, 0, 0, "listen.%zu: expected an address", i);
                rc = CS_EINVAL;
                goto out;
            }
            snprintf(c->listen_buf[i], sizeof(c->listen_buf[i]), "%s", v);
            c->http.listen[i] = c->listen_buf[i];
        }
        c->http.nlisten = (int)n;
    } else if ((rc = str_to(y, "listen", c->listen_buf[0], sizeof(c->listen_buf[0]), err))) {
        goto out;
    } else if (cs_cfg_has(y, "listen")) {
        c->http.listen[0] = c->listen_buf[0];
        c->http.nlisten = 1;
    }
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(c->config_dir, sizeof(c->config_dir), "%.*s", (int)(slash - path), path);
    else
        snprintf(c->config_dir, sizeof(c->config_dir), ".");
    int64_t v;
    if ((rc = str_to(y, "database", c->database, sizeof(c->database), err)) ||
        (rc = str_to(y, "tls.certificate", c->tls_cert, sizeof(c->tls_cert), err)) ||
        (rc = str_to(y, "tls.key", c->tls_key, sizeof(c->tls_key), err)) ||
        (rc =
             str_to(y, "auth.token-key-file", c->token_key_file, sizeof(c->token_key_file), err)) ||
        (rc = str_to(y, "audit.key", c->audit_key_file, sizeof(c->audit_key_file), err)) ||
        (rc = str_to(y, "ingest.tail.file", c->tail_file, sizeof(c->tail_file), err)) ||
        (rc = str_to(y, "ingest.tail.sensor", c->tail_sensor, sizeof(c->tail_sensor), err)) ||
        (rc = str_to(y, "ingest.tail.format", c->tail_format, sizeof(c->tail_format), err)) ||
        (rc = str_to(y, "web-root", c->web_root, sizeof(c->web_root), err)))
        goto out;
    if ((rc = int_to(y, "database-pool", 2, 256, &v, err)) < 0)
        goto out;
    if (rc == CS_OK)
        c->db_pool = (int)v;
    if (cs_cfg_has(y, "web-root"))
        c->web_root_set = true;
    if ((rc = int_to(y, "threads", 1, 64, &v, err)) < 0)
        goto out;
    if (rc == CS_OK)
        c->http.threads = (int)v;
    if ((rc = int_to(y, "limits.max-connections", 1, 100000, &v, err)) < 0)
        goto out;
    if (rc == CS_OK)
        c->http.max_conns = (unsigned)v;
    if ((rc = int_to(y, "limits.max-connections-per-ip", 0, 100000, &v, err)) < 0)
        goto out;
    if (rc == CS_OK)
        c->http.max_conns_per_ip = (unsigned)v;
    if ((rc = int_to(y, "limits.timeout", 1, 3600, &v, err)) < 0)
        goto out;
    if (rc == CS_OK)
        c->http.timeout_s = (unsigned)v;
    if ((rc = int_to(y, "auth.session-ttl", 60, 30ll * 86400, &v, err)) < 0)
        goto out;
    if (rc == CS_OK)
        c->api.session_ttl_s = v;
    if ((rc = int_to(y, "auth.signature-window", 1, 86400, &v, err)) < 0)
        goto out;
    if (rc == CS_OK)
        c->api.sig_window_s = v;
    if ((rc = int_to(y, "audit.checkpoint-every", 0, 1000000, &v, err)) < 0)
        goto out;
    if (rc == CS_OK)
        c->api.audit_ckpt_every = (uint32_t)v;
    if ((rc = int_to(y, "ingest.max-batch-events", 1, 10000000, &v, err)) < 0)
        goto out;
    if (rc == CS_OK)
        c->api.max_batch_events = (size_t)v;
    rc = CS_OK;
    if (cs_cfg_has(y, "auth.require-signatures") &&
        !cs_cfg_get_bool(y, "auth.require-signatures", &c->api.require_signature)) {
        cs_err_set(err, CS_EINVAL, 0, 0, "auth.require-signatures must be yes or no");
        rc = CS_EINVAL;
        goto out;
    }
    if ((rc = size_to(y, "limits.max-body", 1024, 1ull << 30, &c->http.max_body, err)) ||
        (rc = size_to(y, "limits.max-header", 4096, 1u << 20, &c->http.max_header, err)) ||
        (rc = size_to(y, "ingest.max-decoded", 1024, 1ull << 32, &c->api.max_decoded, err)))
        goto out;
    rc = hub_pw_params_from_cfg(&c->api.pw, y, "auth.password", err);
out:
    cs_cfg_free(y);
    if (rc && err->msg[0] && !strchr(err->msg, ':')) {
        char m[sizeof(err->msg)];
        snprintf(m, sizeof(m), "%s", err->msg);
        snprintf(err->msg, sizeof(err->msg), "%.200s: %.50s", path, m);
    }
    return rc;
}

bool hub_config_db_is_pg(const char *d)
{
    return !strncmp(d, "pg:", 3) || !strncmp(d, "postgresql://", 13) ||
           !strncmp(d, "postgres://", 11);
}

void hub_config_finish(struct hub_config *c)
{
    if (hub_config_db_is_pg(c->database)) {
        const char *dir = c->config_dir[0] ? c->config_dir : ".";
        if (!c->token_key_file[0])
            snprintf(c->token_key_file, sizeof(c->token_key_file), "%.480s/citysoc.tokenkey",
                     dir);
        if (!c->audit_key_file[0])
            snprintf(c->audit_key_file, sizeof(c->audit_key_file), "%.480s/citysoc.sm2.pem", dir);
    }
    const char *db = strncmp(c->database, "sqlite:", 7) == 0 ? c->database + 7 : c->database;
    if (!c->token_key_file[0])
        snprintf(c->token_key_file, sizeof(c->token_key_file), "%.490s.tokenkey", db);
    if (!c->audit_key_file[0])
        snprintf(c->audit_key_file, sizeof(c->audit_key_file), "%.490s.sm2.pem", db);
    c->http.tls_cert = c->tls_cert[0] ? c->tls_cert : NULL;
    c->http.tls_key = c->tls_key[0] ? c->tls_key : NULL;
}

int hub_token_key_load(const char *path, uint8_t *key, size_t cap, size_t *len, struct cs_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        uint8_t k[32];
        if (gm_random(k, sizeof(k)) != CS_OK) {
            cs_err_set(err, CS_ERR, 0, 0, "no randomness for the token key");
            return CS_ERR;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            bool ok = write(fd, k, sizeof(k)) == (ssize_t)sizeof(k) && fsync(fd) == 0;
            close(fd);
            gm_cleanse(k, sizeof(k));
            if (!ok) {
                unlink(path);
                cs_err_set(err, CS_EIO, 0, 0, "%s: cannot write the token key", path);
                return CS_EIO;
            }
        }
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        cs_err_set(err, CS_EIO, 0, 0, "%s: %s", path, strerror(errno));
        return CS_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077)) {
        close(fd);
        cs_err_set(err, CS_EINVAL, 0, 0, "%s: the token key must not be readable by others", path);
        return CS_EINVAL;
    }
    ssize_t n = read(fd, key, cap);
    close(fd);
    if (n < 16) {
        cs_err_set(err, CS_EINVAL, 0, 0, "%s: a token key has 16..%zu bytes", path, cap);
        return CS_EINVAL;
    }
    *len = (size_t)n;
    return CS_OK;
}
