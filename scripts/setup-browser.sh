#!/usr/bin/env bash
# Install what the browser tests need: Debian's Chromium (driven by Playwright's
# Python package through executable_path; Playwright's own browser download is
# never used) and axe-core from the npm registry (pinned by
# tests/browser/package-lock.json). Safe to run again: it skips what is there.
#
# With CI=true a failed install fails this script (the browser tests must run in
# CI); elsewhere it warns, and the browser tests skip.
set -uo pipefail
cd "$(dirname "$0")/.."

problem() {
    echo "setup-browser: $*" >&2
    if [ "${CI:-}" = "true" ]; then
        exit 1
    fi
}

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
            chromium chromium-driver fonts-dejavu-core >/dev/null; } \
            || problem "could not install chromium with apt-get"
    else
        problem "/usr/bin/chromium is missing and installing it needs root"
    fi
fi

PYTHON="${PYTHON:-.venv/bin/python}"
if [ -x "$PYTHON" ] && ! "$PYTHON" -c "import playwright.sync_api" 2>/dev/null; then
    "$PYTHON" -m pip install -q "playwright>=1.45" || problem "could not install playwright"
fi

if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    # npm ci installs exactly the locked version.
    npm ci --prefix tests/browser --no-audit --no-fund --silent || problem "could not install axe-core with npm"
fi

echo "setup-browser: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium missing'); axe-core $(node -p "require('./tests/browser/node_modules/axe-core/package.json').version" 2>/dev/null || echo missing)"
