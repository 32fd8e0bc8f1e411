"""Entry point: `python app.py` serves the dashboard; gunicorn serves `app:server`."""

from dashboard.app import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    settings = app.server.config["IMPACT_SETTINGS"]
    app.run(host=settings.host, port=settings.port, debug=False)
