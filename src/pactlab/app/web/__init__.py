"""The analyst's workbench: a JSON API and a page that answers as the terms move
(``pactlab serve``)."""
from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
