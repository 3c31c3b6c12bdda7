"""Screenshot of the review queue with an urgent threat, a category, targets and the no-opinion fold.

A throwaway SQLite app, a test plugin standing in for the hate plugin, Debian chromium via Playwright:

    .venv/bin/python scripts/screenshot_review_queue.py docs/review-queue-categories.png
"""
import sys, tempfile, threading
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from werkzeug.serving import make_server
from playwright.sync_api import sync_playwright
from discuss import Verdict, hookimpl, create_app
from discuss.extensions import db
from discuss.models import Site
from discuss.auth import create_moderator


class Labeller:
    @hookimpl
    def discuss_screen_comment(self, submission):
        b = submission.body
        if "burn" in b:
            return Verdict.hold("threat against a group", category="threat", targets=["travellers"],
                                characteristics=["race"], urgent=True, spans=[[b.index("burn"), b.index("burn") + 4]])
        if "vermin" in b:
            return Verdict.hold("dehumanising comparison", category="dehumanisation", targets=["asylum seekers"],
                                characteristics=["race"], spans=[[b.index("vermin"), b.index("vermin") + 6]])
        return None


folder = tempfile.mkdtemp()
app = create_app({"DATABASE_URL": f"sqlite:///{folder}/shot.db", "TESTING": True, "RATELIMIT_ENABLED": False,
                  "LOAD_ENTRY_POINTS": False, "WTF_CSRF_ENABLED": False})
with app.app_context():
    from flask_migrate import upgrade
    upgrade()
    db.session.add(Site(slug="camden", name="Camden Council", allowed_origins=[], moderation={}))
    db.session.commit()
    create_moderator("jo@camden.gov.uk", "Jo", "moderator", "correct horse battery", ("camden",))
    db.session.commit()
    app.extensions["discuss"].register(Labeller(), name="hate (test)")
    client = app.test_client()
    url = "/api/v1/sites/camden/threads/news/traveller-site-consultation/comments"
    for name, body, ip in [
        ("A Resident", "What a load of bollocks, the council never listens.", "203.0.113.5"),
        ("Concerned", "Those people are vermin and should be kept out of the borough.", "203.0.113.6"),
        ("Anon", "If they open that site we will burn them out, every last one.", "203.0.113.7"),
    ]:
        r = client.post(url, json={"author_name": name, "body": body, "page_title": "Traveller site consultation"},
                        environ_base={"REMOTE_ADDR": ip})
        print(r.status_code, r.json.get("comment", {}).get("status"))

server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"],
                                headless=True)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(base + "/moderation/login")
    page.fill("input[name=email]", "jo@camden.gov.uk")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.goto(base + "/moderation/")
    # Open the fold of the first item to show what it hides; the others stay folded.
    page.locator("details.no-opinion").first.evaluate("d => d.open = true")
    page.screenshot(path=sys.argv[1], full_page=True)
    browser.close()
server.shutdown()
