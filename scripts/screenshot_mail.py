"""Screenshots of mail's pages: the widget's opt-in, the confirm and unsubscribe pages, a moderator's
choice and the admin console's undelivered mail. A throwaway SQLite app and queue, a local SMTP server
(aiosmtpd), Debian chromium via Playwright:

    .venv/bin/python scripts/screenshot_mail.py docs
"""
import re
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from discuss import create_app  # noqa: E402
from discuss.auth import create_moderator  # noqa: E402
from discuss.extensions import db  # noqa: E402
from discuss.testing import run_jobs  # noqa: E402
from tests.mailserver import MailServer  # noqa: E402
from tests.servers import free_port  # noqa: E402

out = Path(sys.argv[1])
folder = tempfile.mkdtemp()
smtp = MailServer().start()
port = free_port()
base = f"http://127.0.0.1:{port}"
app = create_app({"DATABASE_URL": f"sqlite:///{folder}/shot.db", "QUEUE_URL": f"sqlite:///{folder}/queue.db",
                  "TESTING": True, "RATELIMIT_ENABLED": False, "LOAD_ENTRY_POINTS": False, "WTF_CSRF_ENABLED": False,
                  "DEMO_PAGE": True, "SECRET_KEY": "screenshot", **smtp.settings(), "PUBLIC_URL": base})
with app.app_context():
    from flask_migrate import upgrade
    upgrade()
    create_moderator("jo@camden.gov.uk", "Jo", "admin", "correct horse battery", ())
    db.session.commit()

server = make_server("127.0.0.1", port, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()


def mail_link(kind: str) -> str:
    found = re.search(rf"{re.escape(base)}(/mail/{kind}/\S+)", smtp.messages[-1].get_content())
    return base + found.group(1)


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"],
                                headless=True)
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto(base + "/demo")
    form = page.locator(".discuss .reply-form").first
    form.wait_for()
    page.wait_for_selector(".discuss .field.notify:not([hidden])")
    page.fill(".discuss input[name=author_name]", "Sam Resident")
    page.fill(".discuss input[name=author_email]", "sam@example.org")
    page.fill(".discuss textarea[name=body]", "Will the new policy apply to parish councillors too?")
    page.check(".discuss input[name=notify_replies]")
    form.screenshot(path=str(out / "mail-widget-opt-in.png"))
    page.click(".discuss button.submit")
    page.wait_for_selector(".discuss .status.ok")
    with app.app_context():
        run_jobs(app)
    confirm = mail_link("confirm")
    page.set_viewport_size({"width": 720, "height": 240})
    page.goto(confirm)
    page.screenshot(path=str(out / "mail-confirm.png"))
    page.click("button[type=submit]")
    # A reply, so the resident gets a notice with its unsubscribe link.
    with app.app_context():
        client = app.test_client()
        thread = client.get("/api/v1/sites/demo/threads/demo").json
        parent = max(c["id"] for c in thread["comments"])
        client.post("/api/v1/sites/demo/threads/demo/comments",
                    json={"author_name": "Council web team", "body": "Yes: the same code applies.",
                          "parent_id": parent})
        run_jobs(app)
    unsubscribe = mail_link("unsubscribe")
    print(smtp.messages[-1].as_string()[:1500])
    page.goto(unsubscribe)
    page.screenshot(path=str(out / "mail-unsubscribe.png"))
    page.goto(unsubscribe + "?lang=cy")
    page.screenshot(path=str(out / "mail-unsubscribe-cy.png"))
    page.goto(unsubscribe[:-6] + "tamper")  # the signature cut short and changed
    page.screenshot(path=str(out / "mail-link-refused.png"))

    # An SMTP server that refuses: the admin console's undelivered mail.
    smtp.refuse = "550 5.7.1 Relaying denied"
    with app.app_context():
        client = app.test_client()
        client.post("/api/v1/sites/demo/threads/demo/comments",
                    json={"author_name": "Alex", "author_email": "alex@example.org", "notify_replies": True,
                          "body": "Please tell me when someone answers."})
        run_jobs(app)
    page.set_viewport_size({"width": 1000, "height": 560})
    page.goto(base + "/moderation/login")
    page.fill("input[name=email]", "jo@camden.gov.uk")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.goto(base + "/moderation/admin/mail")
    page.screenshot(path=str(out / "admin-mail.png"), full_page=True)
    page.set_viewport_size({"width": 1000, "height": 420})
    page.goto(base + "/moderation/mail")
    page.screenshot(path=str(out / "mail-moderator-choice.png"))
    browser.close()
server.shutdown()
smtp.stop()
