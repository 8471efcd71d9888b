#!/usr/bin/env bash
# hub_durability_pg.sh — tests/e2e/hub_durability.sh with the hub's database on PostgreSQL
# (kill -9 mid-ingest: every acknowledged batch committed, nothing twice after the re-send).
HUB_DB=pg exec bash "$(dirname "$0")/hub_durability.sh"
