"""睦邻驿站 kiosk: the application factory."""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request, url_for
from werkzeug.routing import IntegerConverter

from . import access, cli, devices, errors, i18n, kiosk_state, models, pagecache, privacy, security  # noqa: F401
from .backup import protect_sqlite
from .config import load_config
from .database import configure_sqlite, count_queries
from .extensions import babel, compress, csrf, db, htmx, migrate
from .idempotency import new_request_key
from .validation import DB_INT_MAX

ROOT = Path(__file__).resolve().parent.parent


def shutdown(app: Flask) -> None:
    """Stop what runs in the background (the TV streams' watcher), then close the database
    connections: for a process that ends an app before it exits (tests, scripts)."""
    from .votes import live

    live.stop(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class DatabaseIntConverter(IntegerConverter):
    """<int:…> in a URL: only what fits a database integer; anything larger is a 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


class KioskFlask(Flask):
    def send_static_file(self, filename: str):
        """Static files are read whole (they are small) so Flask-Compress can gzip them:
        its streaming path leaves the file open. Their URLs carry a content hash, so
        browsers keep them for a year."""
        response = super().send_static_file(filename)
        if response.status_code == 200:
            response.direct_passthrough = False
            response.set_data(response.get_data())
        return response


def create_app(test_config: dict | None = None) -> Flask:
    app = KioskFlask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, test_config)
    app.session_interface = security.SessionInterface()
    if app.config.get("PROXY_COUNT"):
        # Behind a reverse proxy that terminates https: trust its forwarded headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    htmx.init_app(app)
    csrf.init_app(app)
    compress.init_app(app)
    pagecache.init_app(app)
    devices.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
            protect_sqlite(db.engine.url.database)  # everyone's data: 0600
        if app.config["QUERY_COUNT_HEADER"]:
            count_queries(db.engine)
            app.after_request(_query_count_header)

    app.url_map.converters["int"] = DatabaseIntConverter
    _register_blueprints(app)
    app.before_request(access.enforce_access)
    app.after_request(security.add_security_headers)
    errors.register_error_handlers(app)
    i18n.register_filters(app)
    privacy.register_filters(app)
    cli.register(app)
    _register_template_helpers(app)
    return app


def _idle_seconds(app: Flask) -> int:
    """How long the tablet waits before asking "还在使用吗？". In staff mode longer: a
    facilitator listens to a discussion without touching the screen."""
    from .staff.auth import current_staff

    if current_staff() is not None:
        return app.config["STAFF_IDLE_SECONDS"]
    return app.config["IDLE_SECONDS"]


def _query_count_header(response):
    from flask import g

    response.headers["X-Query-Count"] = str(g.get("query_count", 0))
    response.headers["X-Page-Cache"] = "hit" if g.get("page_cache_hit") else "miss"
    return response


def _form_request_key() -> str:
    pagecache.forbid()  # a page holding a one-off key belongs to one visitor
    return new_request_key()


def _register_blueprints(app: Flask) -> None:
    from .audit.views import bp as audit
    from .communities import current as community_current
    from .communities.chooser import bp as community_choice
    from .communities.views import bp as communities
    from .home.views import bp as home
    from .personal.views import bp as personal
    from .signups.views import bp as signups
    from .staff import auth as staff_auth
    from .staff.views import bp as staff
    from .stations import current as station_current
    from .stations.views import bp as stations
    from .suggestions.views import bp as suggestions
    from .votes.views import bp as votes

    for blueprint in (home, community_choice, staff, stations, communities, audit, signups,
                      votes, suggestions, personal):
        app.register_blueprint(blueprint)
    staff_auth.init_app(app)
    station_current.init_app(app)
    community_current.init_app(app)


def _register_template_helpers(app: Flask) -> None:
    @lru_cache(maxsize=256)
    def versioned_static_url(script_root: str, filename: str) -> str:
        digest = hashlib.sha256((ROOT / "static" / filename).read_bytes()).hexdigest()[:10]
        return url_for("static", filename=filename, v=digest)

    def static_url(filename: str) -> str:
        """A static file's URL with its content hash, so browsers may cache it for long.
        Remembered: a page asks for the icon sprite a few dozen times."""
        return versioned_static_url(request.script_root, filename)

    @app.context_processor
    def layout_context():
        return {
            "large_text": kiosk_state.large_text(),
            "idle_seconds": _idle_seconds(app),
            "idle_warning_seconds": app.config["IDLE_WARNING_SECONDS"],
            "success_return_seconds": app.config["SUCCESS_RETURN_SECONDS"],
        }

    def url_with(**changes) -> str:
        """This page's URL with some query arguments changed (pagers, filters)."""
        args = {**request.args.to_dict(), **changes}
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    def options_of(items, value_attr: str, label_attr: str) -> list[tuple]:
        return [(getattr(i, value_attr), getattr(i, label_attr)) for i in items]

    # Globals, not context: macros imported without context can call them too.
    app.jinja_env.globals.update(
        url_with=url_with,
        options_of=options_of,
        static_url=static_url,
        new_request_key=_form_request_key,
        current_path=lambda: request.full_path.rstrip("?"),
    )
