#!/usr/bin/env bash
# Makes sure a headless Chromium is available for the browser check of the
# reconciliation pages (tests/pages.rs). Finds one on PATH (or at
# $CHROMIUM); otherwise installs the Debian package `chromium` when it can
# (as root, or with passwordless sudo). When it can neither find nor install
# one it says why and exits 1: the browser check must never pass quietly.
set -euo pipefail

find_chromium() {
  if [ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ]; then
    echo "${CHROMIUM}"
    return 0
  fi
  for name in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

if found=$(find_chromium); then
  echo "ensure-chromium: using $found ($("$found" --version 2>/dev/null || echo 'version unknown'))" >&2
  exit 0
fi

echo "ensure-chromium: no Chromium on PATH; installing the Debian package chromium" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: FAILED: no Chromium found and no apt-get to install it; install Chromium and put it on PATH (or set CHROMIUM=/path/to/chromium)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "ensure-chromium: FAILED: no Chromium found, and installing it needs root (run: sudo apt-get install -y chromium)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get install -y --no-install-recommends chromium >/tmp/ensure-chromium-apt.log 2>&1; then
  "${as_root[@]}" apt-get update >>/tmp/ensure-chromium-apt.log 2>&1 || true
  if ! "${as_root[@]}" apt-get install -y --no-install-recommends chromium >>/tmp/ensure-chromium-apt.log 2>&1; then
    echo "ensure-chromium: FAILED: apt-get install chromium failed; the last lines of its log:" >&2
    tail -n 20 /tmp/ensure-chromium-apt.log >&2
    exit 1
  fi
fi
if found=$(find_chromium); then
  echo "ensure-chromium: installed $found ($("$found" --version 2>/dev/null || echo 'version unknown'))" >&2
  exit 0
fi
echo "ensure-chromium: FAILED: chromium was installed but is not on PATH" >&2
exit 1
