"""The HTTP service (FastAPI) over `ecgpaper.inference`: `create_app(models, settings)`."""
