"""The HTTP API: `create_app(settings)` builds it; nothing is read or connected at import."""

from doctor.api.app import create_app

__all__ = ["create_app"]
