"""WSGI entry point: `flask --app app …`, `gunicorn app:app`."""

from muling_kiosk import create_app

app = create_app()
