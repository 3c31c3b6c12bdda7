"""discuss: threaded comments with pluggable moderation, for councils.

Plugin authors import from here and nowhere else:
``from discuss import hookimpl, Verdict, Submission, SiteView, CommentView, History``;
and, for text residents see in their language (docs/plugins.md, Translating),
``lazy_gettext``, ``lazy_ngettext`` and ``N_``; for durable background work
(contract 1.2, docs/plugins.md "Background jobs"), ``job``, ``periodic``,
``enqueue_after_commit``, ``GiveUp`` and ``plugin_settings``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from .history import History
from .hookspecs import CONTRACT_VERSION, hookimpl
from .host import plugin_settings
from .i18n import N_, lazy_gettext, lazy_ngettext
from .jobs import GiveUp, enqueue_after_commit, job, periodic
from .submission import Submission
from .values import ActionView, CommentView, ModeratorView, ReportView, SiteView
from .verdict import Verdict

__all__ = [
    "create_app", "hookimpl", "CONTRACT_VERSION", "Verdict", "Submission", "History",
    "SiteView", "CommentView", "ModeratorView", "ActionView", "ReportView",
    "N_", "lazy_gettext", "lazy_ngettext",
    "job", "periodic", "enqueue_after_commit", "GiveUp", "plugin_settings",
]

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    Settings come from :data:`discuss.config.DEFAULTS`, then ``DISCUSS_*``
    environment variables, then ``config``. ``DATABASE_URL`` defaults to a SQLite
    file in the instance folder (``DISCUSS_INSTANCE_PATH`` moves that folder).
    """
    from .config import load_settings
    from .extensions import csrf, db, limiter, login_manager, migrate
    from .host import PluginHost
    from .plugins import get_plugin_manager

    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("DISCUSS_INSTANCE_PATH")
    app = Flask(__name__, instance_path=str(Path(instance_path).resolve()) if instance_path else None,
                instance_relative_config=True)
    load_settings(app, config)
    from .logs import configure_logging

    configure_logging(app)
    _derive_flask_settings(app)
    _bound_routes(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    limiter.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    from .headers import init_app as init_security_headers

    init_security_headers(app)
    from .i18n import init_app as init_i18n

    init_i18n(app)

    from .jobs import init_app as init_jobs

    init_jobs(app)
    pm = get_plugin_manager(load_entry_points=app.config["LOAD_ENTRY_POINTS"])
    app.extensions["discuss"] = PluginHost.for_app(app, pm)
    if app.config["THREAD_PAGE_CACHE"]:
        from .api.page_cache import PageCache
        from .invalidation import CheckingWatcher, install_fences, watcher_for

        watcher = (watcher_for(app.config["SQLALCHEMY_DATABASE_URI"], app.config["THREAD_CACHE_HEARTBEAT"])
                   if app.config["THREAD_CACHE_INVALIDATION"] == "auto" else CheckingWatcher())
        app.extensions["discuss_page_cache"] = PageCache(watcher=watcher)
        with app.app_context():
            install_fences(app, db.engine, watcher)
    if app.config["TRACE_HOOKS"]:
        logging.getLogger("discuss.hooks").setLevel(logging.INFO)

    _register_blueprints(app)
    from .deadline import init_app as init_deadline

    init_deadline(app)
    if app.config["THREAD_PAGE_CACHE"] and app.config["THREAD_REPLAY"]:
        from .api.replay import ReplayReads

        app.wsgi_app = ReplayReads(app.wsgi_app, app.extensions["discuss_page_cache"])
    # Outermost, so replayed reads are measured and carry a request id too.
    from . import logs, metrics

    metrics.init_app(app)
    logs.identify_requests(app)
    from .cli import register as register_cli

    register_cli(app)
    _check_site_settings(app)
    return app


def _derive_flask_settings(app: Flask) -> None:
    """Map our DISCUSS_* settings onto the names Flask and its extensions read."""
    cfg = app.config
    url = cfg.get("DATABASE_URL")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "discuss.db")
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    cfg["DATABASE_URL"] = url
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    cfg.setdefault("SQLALCHEMY_TRACK_MODIFICATIONS", False)
    if url.startswith("sqlite"):
        cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    else:
        # A database that does not answer fails a request in seconds (503, discuss/errors.py), not minutes.
        cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
            "pool_pre_ping": True, "connect_args": {"connect_timeout": 3},
            "pool_size": int(cfg["DATABASE_POOL_SIZE"]), "max_overflow": int(cfg["DATABASE_MAX_OVERFLOW"])})
    cfg["RATELIMIT_HEADERS_ENABLED"] = True
    cfg["RATELIMIT_KEY_PREFIX"] = "discuss"
    # Redis down: the same limits, counted in this process, and a warning logged
    # ("Rate limit storage unreachable - falling back to in-memory storage"); Redis
    # is tried again with backoff. Posting keeps working (docs/operations.md).
    cfg.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    # What the fallback does not cover (a deduction after the view, as sign-in failures
    # are counted) is logged rather than turned into a 500.
    cfg.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    if cfg["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://", "redis+")):
        # Short timeouts: an unreachable Redis costs a request half a second, not a hang.
        cfg.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    cfg["API_TITLE"] = "discuss"
    cfg["API_VERSION"] = "v1"
    cfg["OPENAPI_VERSION"] = "3.0.3"
    cfg["OPENAPI_URL_PREFIX"] = "/api"
    cfg["OPENAPI_JSON_PATH"] = "openapi.json"
    cfg["JSON_SORT_KEYS"] = False
    cfg["WTF_CSRF_TIME_LIMIT"] = None
    _derive_security_settings(app)


def _derive_security_settings(app: Flask) -> None:
    """Secrets, the proxies we believe, cookies and hosts (docs/operations.md, Security)."""
    from datetime import timedelta

    from .clients import TrustedProxies, parse_networks
    from .keys import check_secrets

    cfg = app.config
    check_secrets(app)
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_SECURE"] = bool(cfg["SESSION_COOKIE_SECURE"]) or cfg["PUBLIC_URL"].startswith("https://")
    cfg["REMEMBER_COOKIE_SECURE"] = cfg["SESSION_COOKIE_SECURE"]
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=cfg["SESSION_LIFETIME_HOURS"])
    try:
        networks = parse_networks(cfg["TRUSTED_PROXIES"])
    except ValueError as exc:
        raise RuntimeError(f"DISCUSS_TRUSTED_PROXIES: {exc}") from exc
    if networks:
        app.wsgi_app = TrustedProxies(app.wsgi_app, networks)
    if cfg["TRUSTED_HOSTS"]:
        cfg["TRUSTED_HOSTS"] = [str(host) for host in cfg["TRUSTED_HOSTS"]]
    else:
        cfg["TRUSTED_HOSTS"] = None  # Flask: any host
        if cfg["PUBLIC_URL"] and not (app.debug or cfg.get("TESTING")):
            app.logger.warning("DISCUSS_TRUSTED_HOSTS is empty: the service answers to any Host header "
                               "(set it to the host of DISCUSS_PUBLIC_URL)")


def _bound_routes(app: Flask) -> None:
    """Every ``<int:...>`` in a route is a positive id up to ``bounds.MAX_ID`` (larger ones do not match: 404),
    and doubled slashes are not redirected (a 308 HTML page on a JSON API): thread keys
    normalise them away, and any other route answers 404 in the error shape."""
    from .bounds import IdConverter, KeyPathConverter

    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["path"] = KeyPathConverter
    app.url_map.merge_slashes = False


def _register_blueprints(app: Flask) -> None:
    from .api import threads_blp
    from .errors import DiscussApi, register_fallback
    from .extensions import csrf
    from .health import bp as health_bp

    api = DiscussApi(app)
    from werkzeug.routing import PathConverter

    from .schemas import KEY_PARAMETER

    api.register_converter(PathConverter, lambda _converter: dict(KEY_PARAMETER))
    api.register_blueprint(threads_blp)
    csrf.exempt(threads_blp)
    app.register_blueprint(health_bp)
    from .api.docs import bp as api_docs_bp

    app.register_blueprint(api_docs_bp)
    from .embed import bp as embed_bp
    from .embed.pages import post_reply as embed_post_reply, post_report as embed_post_report

    app.register_blueprint(embed_bp)
    # Guarded by their own signed form token (discuss/embed/form_tokens.py), not a session's.
    csrf.exempt(embed_post_reply)
    csrf.exempt(embed_post_report)
    from .review import register_review

    register_review(app, api)
    from .admin import register_admin

    register_admin(app)
    from .mail import init_app as init_mail

    init_mail(app)
    app.extensions["discuss_api"] = api
    register_fallback(app)

    from .extensions import db

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _configure_sqlite(db.engine)


def _configure_sqlite(engine) -> None:
    """Real transactions on SQLite: WAL, foreign keys, and BEGIN emitted by us.

    pysqlite's own transaction handling starts transactions late and lets a
    released SAVEPOINT commit; taking over BEGIN (SQLAlchemy's documented recipe)
    makes savepoints and rollbacks behave as on PostgreSQL. A session that will
    write can ask for ``BEGIN IMMEDIATE`` with the ``sqlite_immediate`` execution
    option, so it waits for the write lock instead of failing half-way.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _check_site_settings(app: Flask) -> None:
    """Fail at start-up when a site's plugin settings do not validate."""
    import sqlalchemy as sa

    from .extensions import db
    from .models import Site

    with app.app_context():
        try:
            if not sa.inspect(db.engine).has_table("site"):
                return
            sites = list(db.session.execute(sa.select(Site)).scalars())
        except sa.exc.OperationalError as exc:
            # The database may come up after the app; /healthz reports it meanwhile.
            app.logger.warning("could not check site settings at start-up: %s", exc)
            return
        finally:
            db.session.remove()
        for site in sites:
            app.extensions["discuss"].check_site(site)
