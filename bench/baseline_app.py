"""The baseline: a bare Flask endpoint returning the same rows from sqlite3 as JSON.

No ORM, no tree, no plugins, no headers beyond Flask's own: what reading 200
comments costs at the least. Run by bench_read.py under the same gunicorn.
"""

import os
import sqlite3

from flask import Flask, jsonify

DB_PATH = os.environ["BENCH_SQLITE_PATH"]
THREAD_ID = int(os.environ["BENCH_THREAD_ID"])

app = Flask(__name__)


@app.get("/thread")
def thread():
    conn = sqlite3.connect(DB_PATH)
    try:
        rows = conn.execute(
            "SELECT id, parent_id, author_name, body_html, created_at FROM comment "
            "WHERE thread_id = ? AND status = 'published' ORDER BY id",
            (THREAD_ID,),
        ).fetchall()
    finally:
        conn.close()
    return jsonify([
        {"id": r[0], "parent_id": r[1], "author_name": r[2], "body_html": r[3], "created_at": r[4]}
        for r in rows
    ])
