/* sqlite.h — what the SQLite store exposes beyond store.h: a hook for tests.
 *
 * hub_sqlite_query_hook, when set, is called with the read connection and the SQL text of
 * every event query (hub_store_event_query/get) right after it is prepared, on the calling
 * thread, with that connection locked: a test runs EXPLAIN QUERY PLAN on it to prove the
 * query walks an index in order. Not for production use; set it before any query runs and
 * clear it after (it is a plain global, not synchronised). */
#ifndef HUB_STORE_SQLITE_H
#define HUB_STORE_SQLITE_H

#include <sqlite3.h>

extern void (*hub_sqlite_query_hook)(void *arg, sqlite3 *db, const char *sql);
extern void *hub_sqlite_query_hook_arg;

#endif
