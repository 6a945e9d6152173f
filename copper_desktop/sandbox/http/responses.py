"""Copper's error envelope, the one shape of every error answer."""

from __future__ import annotations

from starlette.responses import JSONResponse


def error_response(status: int, message: str) -> JSONResponse:
    """Copper's error envelope (copper-behaviour.md §9)."""
    return JSONResponse(
        {"success": False, "status": status, "message": message}, status_code=status
    )
