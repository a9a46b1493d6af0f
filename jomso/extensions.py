"""Every Flask extension object, created unbound and initialised in ``create_app``."""

from flask import current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.config import COOKIE_NAME
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

from jomso.attached_rows import RequestSession
from jomso.translations import CatalogBabel

# Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class ShopLoginManager(LoginManager):
    """Flask-Login's, with a visitor who has neither an account in the session nor a "keep me
    signed in" cookie known as a guest at once. Flask-Login would first hash their address
    and browser for session protection, which guards only a signed-in session, then look
    for an account in the session, the cookie and the headers: 20 µs of every guest's
    request instead of 5."""

    def _load_user(self):
        cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
        if "_user_id" in session or cookie_name in request.cookies:
            return super()._load_user()
        return self._update_request_context_with_user()


db = SQLAlchemy(metadata=metadata, session_options={"class_": RequestSession})
migrate = Migrate(render_as_batch=True)
login_manager = ShopLoginManager()
csrf = CSRFProtect()
babel = CatalogBabel()  # reads the .po catalogs (jomso/translations.py)
limiter = Limiter(key_func=get_remote_address, default_limits=[])
