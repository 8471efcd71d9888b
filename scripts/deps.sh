#!/usr/bin/env bash
# deps.sh — installs what citysoc needs to build and test on Debian (bookworm).
# Idempotent and quiet when everything is present. Run as root (or with sudo available).
set -euo pipefail

DEB_PKGS=(
    build-essential pkg-config clang
    libpcap-dev libyaml-dev libssl-dev libpcre2-dev libhyperscan-dev zlib1g-dev
    python3 iproute2 tcpdump curl zstd
    libmicrohttpd-dev libsqlite3-dev libpq-dev libargon2-dev libzstd-dev postgresql tshark
    nodejs chromium fonts-wqy-microhei
)

missing=()
for p in "${DEB_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The console's npm packages: Debian's npm unless a Node.js that brings its own is installed.
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Front-end packages arrive with the console (web/package-lock.json, npm ci).
if [ -f web/package-lock.json ] && [ ! -d web/node_modules ]; then
    echo "deps: npm ci (web/)"
    (cd web && npm ci --no-audit --no-fund --silent)
fi
