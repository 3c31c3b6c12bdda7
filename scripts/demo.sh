#!/usr/bin/env bash
# Set up everything and start the demo: a council blog page with its discussion,
# on SQLite (no other service needed). Open the printed address.
#
#   bash scripts/demo.sh            (PORT=8000 HOST=127.0.0.1 by default)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .

export DISCUSS_INSTANCE_PATH="${DISCUSS_INSTANCE_PATH:-$PWD/instance}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

# The app refuses to start on a known key; the demo makes its own once and keeps
# them in the instance folder (readable by you only), reused on the next start.
mkdir -p "$DISCUSS_INSTANCE_PATH"
demo_key() {
    local file="$DISCUSS_INSTANCE_PATH/$1"
    if [ ! -s "$file" ]; then
        (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))' > "$file")
    fi
    cat "$file"
}
export DISCUSS_SECRET_KEY="${DISCUSS_SECRET_KEY:-$(demo_key secret_key)}"
export DISCUSS_IP_HASH_KEY="${DISCUSS_IP_HASH_KEY:-$(demo_key ip_hash_key)}"
export DISCUSS_DEMO_PAGE="${DISCUSS_DEMO_PAGE:-true}"

.venv/bin/discuss init-db
.venv/bin/discuss demo load
.venv/bin/discuss demo moderator

cat <<MSG

  discuss demo is running:
    council page:   http://$HOST:$PORT/demo
    no-JS thread:   http://$HOST:$PORT/embed/demo/demo
    in Welsh:       http://$HOST:$PORT/demo?lang=cy
    moderation:     http://$HOST:$PORT/moderation/   (log in as moderator@demo.example / demo-moderator)
    admin console:  http://$HOST:$PORT/moderation/admin/   (log in as admin@demo.example / demo-admin)
    API docs:       http://$HOST:$PORT/api/docs
  Ctrl-C stops it. The database is $DISCUSS_INSTANCE_PATH/discuss.db; background jobs
  (webhooks) wait in $DISCUSS_INSTANCE_PATH/queue.db and a worker runs beside the server.

MSG
# The job queue's worker, on the embedded SQLite queue (no other service): started beside
# the server and stopped with it.
.venv/bin/discuss worker --workers 1 &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null; wait "$WORKER" 2>/dev/null' EXIT INT TERM
.venv/bin/discuss serve --host "$HOST" --port "$PORT"
