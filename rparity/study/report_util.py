"""Small helpers the report's sections share."""
from __future__ import annotations

import base64

__all__ = ["data_uri"]


def data_uri(svg: bytes) -> str:
    """An SVG as a ``data:`` URI (the report is one self-contained file)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
