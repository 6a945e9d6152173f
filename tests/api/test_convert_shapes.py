"""Conversion answers in each of Copper's shapes (§10): the documented objects, the OpenAPI
ids-only shape and both at once; a company or opportunity not made, whether absent or null,
comes back as None. Also ``fetch_by_email`` (None when nobody has the email)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from copper_desktop.api import CopperClient
from tests.helpers.sandbox import SandboxControl

pytestmark = pytest.mark.anyio
MakeClient = Callable[..., CopperClient]


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def gets(control: SandboxControl) -> list[str]:
    return [r["route"] for r in control.requests(200) if r["method"] == "GET"]


async def new_lead(c: CopperClient) -> dict[str, Any]:
    email = f"{uuid.uuid4().hex[:10]}@shape.test"
    return await c.create_lead({"name": unique("Shape"), "email": {"email": email}})


@pytest.mark.parametrize("shape", ["both", "objects", "ids"])
async def test_every_answer_shape_gives_the_same_result(
    make_client: MakeClient, control: SandboxControl, shape: str
) -> None:
    control.settings(convert_answer=shape)
    async with make_client() as c:
        pipeline = (await c.pipelines())[0]
        lead = await new_lead(c)
        company = unique("Shape Co")
        control.reset()
        full = await c.convert_lead(
            lead["id"],
            company={"name": company},
            opportunity={"name": "Shape deal", "pipeline_id": pipeline["id"]},
        )
        assert (
            full.person is not None and full.person["emails"][0]["email"] == lead["email"]["email"]
        )
        assert full.company is not None and full.company["name"] == company
        assert full.opportunity is not None and full.opportunity["name"] == "Shape deal"
        assert full.opportunity["primary_contact_id"] == full.person["id"]
        # Given only ids, the client fetches the records; given objects, it fetches nothing.
        fetched = gets(control)
        assert len(fetched) == (3 if shape == "ids" else 0), fetched

        bare = await c.convert_lead((await new_lead(c))["id"], company={"name": ""})
        assert bare.person is not None and bare.person["name"]
        assert bare.company is None and bare.opportunity is None


async def test_fetch_by_email(make_client: MakeClient) -> None:
    async with make_client() as c:
        email = f"{uuid.uuid4().hex[:10]}@by-email.test"
        assert await c.fetch_by_email(email) is None
        person = await c.create("people", {"name": unique("Mail"), "emails": [{"email": email}]})
        found = await c.fetch_by_email(email)
        assert found is not None and found["id"] == person["id"]
