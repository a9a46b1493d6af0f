"""Entry point: ``flask --app app ...`` and ``gunicorn app:app``."""

from jomso import create_app

app = create_app()
