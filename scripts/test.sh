#!/usr/bin/env bash
# Set up everything and run the whole test suite: on SQLite, then on PostgreSQL.
#
#   bash scripts/test.sh [extra pytest arguments]
#
# Installs the project (and its test extra) into .venv, the example third-party
# plugin, Debian's Chromium and axe-core for the browser tests. PostgreSQL is
# DISCUSS_TEST_DATABASE_URL (default: the local server's "test" database);
# Redis is DISCUSS_TEST_REDIS_URL (default: the local server). With CI=true a
# missing PostgreSQL, Redis or browser fails the run; elsewhere it is skipped
# with a warning.
set -euo pipefail
cd "$(dirname "$0")/.."

in_ci() { [ "${CI:-}" = "true" ]; }

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"
for example in examples/*/; do
    [ -f "$example/pyproject.toml" ] && .venv/bin/python -m pip install -q --no-deps -e "$example"
done
bash scripts/setup-browser.sh
# tests/test_deployment.py checks deploy/nginx.conf with `nginx -t`.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] && [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        nginx-light >/dev/null; } || echo "test.sh: could not install nginx-light" >&2
fi
# tests/test_varnish.py runs deploy/varnish.vcl under a real Varnish with the xkey module.
if ! command -v varnishd >/dev/null 2>&1 && [ ! -x /usr/sbin/varnishd ] && [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        varnish varnish-modules >/dev/null; } || echo "test.sh: could not install varnish" >&2
fi

export DISCUSS_TEST_DATABASE_URL_PG="${DISCUSS_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
export DISCUSS_TEST_REDIS_URL="${DISCUSS_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"

reachable() {
    .venv/bin/python - "$1" <<'PY'
import sys
url = sys.argv[1]
try:
    if url.startswith("redis"):
        import redis
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    else:
        import sqlalchemy as sa
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
except Exception as exc:
    print(f"  {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
    sys.exit(1)
PY
}

pg_ok=true
if ! reachable "$DISCUSS_TEST_DATABASE_URL_PG"; then
    if in_ci; then
        echo "test.sh: PostgreSQL is unreachable at $DISCUSS_TEST_DATABASE_URL_PG: failing (CI=true)" >&2
        exit 1
    fi
    echo "test.sh: PostgreSQL is unreachable; the PostgreSQL pass will be skipped" >&2
    pg_ok=false
fi
if ! reachable "$DISCUSS_TEST_REDIS_URL" && in_ci; then
    echo "test.sh: Redis is unreachable at $DISCUSS_TEST_REDIS_URL: failing (CI=true)" >&2
    exit 1
fi

echo "== SQLite: the whole suite, browser tests included"
env -u DISCUSS_TEST_DATABASE_URL .venv/bin/python -m pytest -q "$@"

if $pg_ok; then
    echo "== PostgreSQL: the whole suite but the browser tests"
    DISCUSS_TEST_DATABASE_URL="$DISCUSS_TEST_DATABASE_URL_PG" .venv/bin/python -m pytest -q -m "not browser" "$@"
fi
