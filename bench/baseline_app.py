"""The baselines: a bare Flask endpoint returning the same rows from sqlite3 as JSON
(``/thread``), and one returning a constant JSON object (``/constant``).

No ORM, no tree, no plugins, no headers beyond Flask's own: ``/thread`` is what
reading 200 comments costs at the least, ``/constant`` what Flask under gunicorn
can serve at all. Run by bench_read.py under the same gunicorn.
"""

import os
import sqlite3

from flask import Flask, jsonify

DB_PATH = os.environ["BENCH_SQLITE_PATH"]
THREAD_ID = int(os.environ["BENCH_THREAD_ID"])

app = Flask(__name__)

CONSTANT = {"thread": {"key": "/blog/post", "comment_count": 0}, "comments": [], "next_cursor": None}


@app.get("/constant")
def constant():
    return CONSTANT


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
