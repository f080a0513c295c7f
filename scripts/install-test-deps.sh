#!/usr/bin/env bash
# Installs what the browser and HTML-quality tests need, once: Debian's chromium (never a
# browser download), a Java runtime for the Nu validator, and the npm packages pinned in
# package.json (axe-core, vnu-jar, decap-cms, leaflet). With --bench also Debian's wrk (the search load
# generator); with --npm-only just the npm packages (what the built site serves: `make site-deps`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
updated=""
debian_package() {  # debian_package COMMAND PACKAGE: install PACKAGE unless COMMAND exists
  command -v "$1" >/dev/null 2>&1 && return 0
  [ -n "$updated" ] || { $SUDO apt-get update -qq; updated=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=900 "$2" >/dev/null
}
if [ "${1:-}" != "--npm-only" ]; then
  debian_package chromium chromium
  debian_package java default-jre-headless
fi
if [ "${1:-}" = "--bench" ]; then
  debian_package wrk wrk
fi
if [ ! -f node_modules/.install-stamp ] || [ package.json -nt node_modules/.install-stamp ]; then
  npm install --no-audit --no-fund --silent
  touch node_modules/.install-stamp
fi
