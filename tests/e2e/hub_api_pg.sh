#!/usr/bin/env bash
# hub_api_pg.sh — tests/e2e/hub_api.sh with the hub's database on PostgreSQL: the same checks
# over real HTTP, against a fresh schema in $CS_PG_DSN (tests/run.sh starts scripts/pg.sh when
# it is unset). Without a server it fails.
HUB_DB=pg exec bash "$(dirname "$0")/hub_api.sh"
