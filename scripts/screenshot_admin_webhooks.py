"""Screenshot of the admin console's Webhook deliveries page, with dead letters made for real.

A throwaway SQLite app and queue, local receivers that answer 500, time out and redirect, the
jobs run in-process through the queue (discuss.testing.run_jobs), Debian chromium via Playwright:

    .venv/bin/python scripts/screenshot_admin_webhooks.py docs/admin-webhooks.png
"""
import sys, tempfile, threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from werkzeug.serving import make_server
from playwright.sync_api import sync_playwright
from discuss import Verdict, hookimpl, create_app, requestid
from discuss.extensions import db
from discuss.models import Site, utcnow
from discuss.auth import create_moderator
from discuss.testing import run_jobs


class HoldAll:
    @hookimpl
    def discuss_screen_comment(self, submission):
        return Verdict.hold("needs a look")


def receiver(status: int, *, location: str = "", slow: bool = False) -> str:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            if slow:
                threading.Event().wait(3)
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


folder = tempfile.mkdtemp()
app = create_app({"DATABASE_URL": f"sqlite:///{folder}/shot.db", "QUEUE_URL": f"sqlite:///{folder}/queue.db",
                  "TESTING": True, "RATELIMIT_ENABLED": False, "LOAD_ENTRY_POINTS": False,
                  "WTF_CSRF_ENABLED": False})
failing, slow = receiver(500), receiver(204, slow=True)
moved = receiver(301, location="https://elsewhere.example/")
with app.app_context():
    from flask_migrate import upgrade
    upgrade()
    db.session.add(Site(slug="camden", name="Camden Council", allowed_origins=[], moderation={"webhook": {
        "enabled": True, "secret": "s3cret", "allow_private_targets": True, "retries": 3, "backoff": 1,
        "timeout": 0.5, "urls": [failing + "/discuss/events", slow + "/hooks/moderation", moved + "/old-hook"]}}))
    db.session.commit()
    create_moderator("web@camden.gov.uk", "Web team", "site_admin", "correct horse battery", ("camden",))
    db.session.commit()
    app.extensions["discuss"].register(HoldAll(), name="hold all (screenshot)")
    client = app.test_client()
    r = client.post("/api/v1/sites/camden/threads/news/bin-collections/comments",
                    json={"author_name": "A Resident", "body": "When do the brown bins go out?"},
                    headers={"X-Request-Id": "req-7f3a9c2e41"})
    print(r.status_code)
    print(len(run_jobs(app, now=utcnow() + timedelta(hours=1))), "attempts")

server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"],
                                headless=True)
    page = browser.new_page(viewport={"width": 1200, "height": 700})
    page.goto(base + "/moderation/login")
    page.fill("input[name=email]", "web@camden.gov.uk")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.goto(base + "/moderation/admin/webhooks")
    page.screenshot(path=sys.argv[1], full_page=True)
    browser.close()
server.shutdown()
