#!/usr/bin/env bash
# pg.sh — a throw-away PostgreSQL server on loopback for the tests of the hub's PostgreSQL
# store (Debian's postgresql package, installed by scripts/deps.sh).
#
#   scripts/pg.sh start   # prints the connection string (also written to $PGDIR/dsn)
#   scripts/pg.sh stop
#
# The cluster lives in $CS_PG_DIR (default /tmp/citysoc-pg), listens on 127.0.0.1:$CS_PG_PORT
# (default 55432) only, and has a database and role `citysoc`. Idempotent: `start` on a
# running cluster only prints the DSN. The server refuses to run as root, so under root it
# runs as the `postgres` user (created by the Debian package).
set -euo pipefail
PGDIR=${CS_PG_DIR:-/tmp/citysoc-pg}
PORT=${CS_PG_PORT:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
DSN="host=127.0.0.1 port=$PORT dbname=citysoc user=citysoc password=citysoc"
# Server settings for an ingest-heavy hub (docs/hub-postgresql.md explains each): durability
# stays on (fsync, full-page writes, synchronous_commit: a batch is acknowledged after its WAL
# is flushed); what changes is how much memory PostgreSQL caches pages in and how rarely it
# checkpoints (every checkpoint makes the next change of each page log the whole page).
# $CS_PG_SHARED_BUFFERS overrides the cache size (default 512MB: a test server on a shared
# machine; a dedicated server gets about a quarter of its memory).
SETTINGS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
SETTINGS+=" -c shared_buffers=${CS_PG_SHARED_BUFFERS:-512MB} -c wal_buffers=64MB"
SETTINGS+=" -c max_wal_size=8GB -c min_wal_size=1GB -c checkpoint_timeout=15min"
SETTINGS+=" -c wal_compression=lz4 -c random_page_cost=1.1 -c effective_cache_size=4GB"

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "${1:-start}" in
start)
    if [ -z "$BIN" ]; then
        echo "pg.sh: PostgreSQL is not installed (scripts/deps.sh installs it)" >&2
        exit 1
    fi
    if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
        rm -rf "$PGDIR"
        mkdir -p "$PGDIR"
        [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$PGDIR"
        echo postgres >"$PGDIR/pw"
        [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$PGDIR/pw"
        as_pg "$BIN/initdb" -D "$PGDIR/data" -A scram-sha-256 -U postgres \
            --pwfile="$PGDIR/pw" >"$PGDIR/initdb.log" 2>&1 ||
            { cat "$PGDIR/initdb.log" >&2; exit 1; }
    fi
    if ! as_pg "$BIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
        as_pg "$BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR $SETTINGS" start >/dev/null ||
            { cat "$PGDIR/server.log" >&2; exit 1; }
        PGPASSWORD=postgres "$BIN/psql" -qAt -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
            -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='citysoc') THEN CREATE ROLE citysoc LOGIN PASSWORD 'citysoc' CREATEDB; END IF; END\$\$;" >/dev/null
        if ! PGPASSWORD=postgres "$BIN/psql" -qAt -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
            -c "SELECT 1 FROM pg_database WHERE datname='citysoc'" | grep -q 1; then
            PGPASSWORD=postgres "$BIN/psql" -qAt -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
                -c "CREATE DATABASE citysoc OWNER citysoc" >/dev/null
        fi
    fi
    echo "$DSN" >"$PGDIR/dsn" 2>/dev/null || true
    echo "$DSN"
    ;;
stop)
    [ -n "$BIN" ] && [ -d "$PGDIR/data" ] && as_pg "$BIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: scripts/pg.sh start|stop" >&2
    exit 2
    ;;
esac
