"""Small helpers shared by the tests."""

from __future__ import annotations

THREAD_URL = "/api/v1/sites/council/threads/blog/post"


def post(client, body="A fair point about the bins.", *, url=THREAD_URL, **fields):
    payload = {"author_name": "Resident", "body": body, **fields}
    return client.post(url + "/comments", json=payload)
