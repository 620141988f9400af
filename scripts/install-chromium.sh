#!/usr/bin/env bash
# Installs Debian's Chromium for the report's browser test. Playwright's own
# browser download needs a CDN this project cannot count on, so the test
# drives the distribution's build through playwright-core instead.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "Chromium is already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Cannot install Chromium: apt-get is missing (not Debian or Ubuntu)." >&2
  echo "Install a Chromium at $CHROMIUM by hand to run the report's browser test." >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "Cannot install Chromium: not root and no sudo." >&2
    echo "Run as root: apt-get update && apt-get install -y chromium" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get update < /dev/null ||
  ! "${SUDO[@]}" apt-get install -y --no-install-recommends chromium < /dev/null; then
  echo "Cannot install Chromium with apt-get (no package index reachable?)." >&2
  echo "Run as root: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "apt-get finished but $CHROMIUM is missing." >&2
  exit 1
fi
echo "Chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
