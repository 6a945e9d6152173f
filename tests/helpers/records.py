"""Records made on the live sandbox for the tests that need particular content."""

from __future__ import annotations

import uuid
from typing import Any

from copper_desktop.api import CopperClient


async def new_person(client: CopperClient) -> dict[str, Any]:
    """A person with an email and a value in every person custom field that takes one."""
    definitions = [
        d
        for d in await client.custom_field_definitions()
        if "person" in d["available_on"] and d["data_type"] in ("String", "Float", "Checkbox")
    ]
    assert definitions
    sample = {"String": "journal value", "Float": 12.5, "Checkbox": True}
    tag = uuid.uuid4().hex[:10]
    return await client.create(
        "people",
        {
            "name": f"Journal Person {tag}",
            "emails": [{"email": f"journal-{tag}@example.test", "category": "work"}],
            "custom_fields": [
                {"custom_field_definition_id": d["id"], "value": sample[d["data_type"]]}
                for d in definitions
            ],
        },
    )
