#!/usr/bin/env bash
# Installs what the browser and HTML-quality tests need, once: Debian's chromium (never a
# browser download) and the npm packages pinned in package.json (axe-core, vnu-jar).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=900 chromium >/dev/null
fi
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=900 default-jre-headless >/dev/null
fi
if [ ! -f node_modules/.install-stamp ] || [ package.json -nt node_modules/.install-stamp ]; then
  npm install --no-audit --no-fund --silent
  touch node_modules/.install-stamp
fi
