"""Entry point: `python app.py` serves the dashboard; gunicorn serves `app:server`."""

import sys

from dashboard.app import create_app
from dashboard.security import PlainServerHeader
from impact_monitor.settings import SettingsError

try:
    app = create_app()
except SettingsError as error:  # a setting the app cannot use: one line saying which, not a traceback
    sys.exit(f"impact-monitor: {error}")
server = app.server

if __name__ == "__main__":
    settings = app.server.config["IMPACT_SETTINGS"]
    app.run(host=settings.host, port=settings.port, debug=False, request_handler=PlainServerHeader)
