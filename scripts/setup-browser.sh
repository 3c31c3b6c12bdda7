#!/usr/bin/env bash
# Install what the browser tests need: Debian's Chromium (driven by Playwright's
# Python package through executable_path; Playwright's own browser download is
# never used) and axe-core from the npm registry (pinned by
# tests/browser/package-lock.json). Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
    else
        echo "setup-browser: /usr/bin/chromium is missing and we are not root; browser tests will skip" >&2
    fi
fi

PYTHON="${PYTHON:-.venv/bin/python}"
if [ -x "$PYTHON" ] && ! "$PYTHON" -c "import playwright.sync_api" 2>/dev/null; then
    "$PYTHON" -m pip install -q "playwright>=1.45"
fi

if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    # npm ci installs exactly the locked version; fall back to install when the lock is absent.
    if [ -f tests/browser/package-lock.json ]; then
        npm ci --prefix tests/browser --no-audit --no-fund --silent
    else
        npm install --prefix tests/browser --no-audit --no-fund --silent
    fi
fi

echo "setup-browser: chromium $( /usr/bin/chromium --version 2>/dev/null || echo missing ); axe-core $(node -p "require('./tests/browser/node_modules/axe-core/package.json').version" 2>/dev/null || echo missing)"
