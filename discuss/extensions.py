"""Flask extensions, created unbound and bound to an app in :func:`discuss.create_app`."""

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from .clients import rate_limit_key


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
# Keyed on the client's address as discuss.clients resolves it (trusted proxies only).
limiter = Limiter(key_func=rate_limit_key)
login_manager = LoginManager()
csrf = CSRFProtect()
