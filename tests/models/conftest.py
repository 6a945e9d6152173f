"""The model tests run on the session's qasync loop (tests/helpers/loop.py)."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture(autouse=True)
def running_loop(running_loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
    """Every test here: the qasync loop is the running one, and stray tasks fail the test."""
    return running_loop
