/* config.h — the hub's configuration: defaults, a YAML file (lib/cs_cfg.h), command-line
 * overrides. The same file serves citysoc-hub and the citysoc CLI (which needs the database
 * and the key files). Keys (all optional):
 *
 *   listen: [127.0.0.1:8443, "[::1]:8443"]   # or one string
 *   database: /var/lib/citysoc/hub.db          # sqlite:PATH or PATH, or PostgreSQL:
 *                                              # postgresql://… or "pg:host=… dbname=…"
 *   database-pool: 5                           # PostgreSQL connections (default threads + 1)
 *   threads: 4
 *   limits: {max-body: 16mb, max-header: 32kb, max-connections: 256,
 *            max-connections-per-ip: 0, timeout: 30}
 *   tls: {certificate: hub.crt, key: hub.key}
 *   auth:
 *     session-ttl: 28800
 *     token-key-file: hub.db.tokenkey   # created (32 random bytes, 0600) when missing;
 *                                       # PostgreSQL: citysoc.tokenkey beside the config file
 *     require-signatures: no
 *     signature-window: 300
 *     password: {memory: 64mb, iterations: 3, parallelism: 1, min-length: 12}
 *   audit: {key: hub.db.sm2.pem, checkpoint-every: 1000}   # PostgreSQL: citysoc.sm2.pem
 *   ingest: {max-batch-events: 100000, max-decoded: 64mb,
 *            tail: {file: /var/log/suricata/eve.json, sensor: NAME, format: suricata-eve}}
 *   web-root: web                     # the console (static files); "" serves none
 */
#ifndef HUB_CONFIG_H
#define HUB_CONFIG_H

#include "api/api.h"
#include "http/server.h"

#define HUB_PATH_LEN 512

struct hub_config {
    struct hub_http_cfg http;
    char listen_buf[HUB_HTTP_MAX_LISTEN][128];
    char database[HUB_PATH_LEN];
    int db_pool;                     /* PostgreSQL pool size; 0: threads + 1 */
    char config_dir[HUB_PATH_LEN];   /* directory of the file loaded last ("" if none) */
    char tls_cert[HUB_PATH_LEN], tls_key[HUB_PATH_LEN];
    char token_key_file[HUB_PATH_LEN];
    char audit_key_file[HUB_PATH_LEN];
    char tail_file[HUB_PATH_LEN];
    char tail_sensor[HUB_NAME_MAX + 1];
    char tail_format[32];
    char web_root[HUB_PATH_LEN]; /* the console's static files ("" = none) */
    bool web_root_set;           /* given in the file or a flag (missing = an error) */
    struct hub_api_cfg api;
};

/* Defaults: listen 127.0.0.1:8443, database hub.db, 4 threads. */
void hub_config_defaults(struct hub_config *c);
/* Reads the YAML file over the current values; err says where it went wrong. */
int hub_config_load(struct hub_config *c, const char *path, struct cs_err *err);
/* Fills the derived paths left empty: key files next to the SQLite database, or, for a
 * PostgreSQL database (no file to sit beside), citysoc.tokenkey and citysoc.sm2.pem in the
 * configuration file's directory (the current directory without one). Call after the file
 * and flags are applied. */
void hub_config_finish(struct hub_config *c);

/* Loads the server key for token hashes from path, creating it (32 random bytes, mode 0600)
 * when missing. *len gets its size (16..64). */
/* true for the database names that select the PostgreSQL store. */
bool hub_config_db_is_pg(const char *database);

int hub_token_key_load(const char *path, uint8_t *key, size_t cap, size_t *len, struct cs_err *err);

#endif
