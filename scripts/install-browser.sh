#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (Playwright's core drives it; it never downloads
# a browser of its own). Idempotent: does nothing when Chromium is already there.
set -euo pipefail
CHROMIUM="${GUMSHOE_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  echo "install-browser: Chromium present at $CHROMIUM"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-browser: installing Debian's chromium package"
$SUDO apt-get update
$SUDO apt-get install -y chromium
if [ ! -x "$CHROMIUM" ]; then
  echo "install-browser: chromium installed but $CHROMIUM is missing; set GUMSHOE_CHROMIUM to its path" >&2
  exit 1
fi
