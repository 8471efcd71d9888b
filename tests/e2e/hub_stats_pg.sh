#!/usr/bin/env bash
# hub_stats_pg.sh — tests/e2e/hub_stats.sh (the console's statistics routes) with the hub's
# database on PostgreSQL (rollups kept at ingest by pgsql.c), in a fresh schema.
HUB_DB=pg exec bash "$(dirname "$0")/hub_stats.sh"
