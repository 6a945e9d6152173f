"""The job engine tests run on anyio: their ``client`` is an async one (the shared ``client``
of tests/helpers/clients.py lives on the qasync loop). Their other fixtures and helpers are in
tests/helpers/jobs.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from copper_desktop.api import CopperClient
from tests.helpers.clients import MakeClient
from tests.helpers.sandbox import SandboxControl


@pytest.fixture
async def client(make_client: MakeClient, control: SandboxControl) -> AsyncIterator[CopperClient]:
    async with make_client() as c:
        yield c
