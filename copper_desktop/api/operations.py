"""One method per operationId of copper-openapi.yaml, over the generic calls, so code written
against Copper's documentation finds the names it expects."""

from __future__ import annotations

from typing import Any

from .account_ops import CatalogMixin
from .base import Json
from .search import SearchPage

__all__ = ["OperationsMixin"]


class OperationsMixin(CatalogMixin):
    """``search_people``, ``create_person``... (names of the OpenAPI description)."""

    async def search_people(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("people", filters, **kw)

    async def create_person(self, body: Json) -> Json:
        return await self.create("people", body)

    async def get_person(self, person_id: int) -> Json:
        return await self.get("people", person_id)

    async def update_person(self, person_id: int, changes: Json) -> Json:
        return await self.update("people", person_id, changes)

    async def delete_person(self, person_id: int) -> Json:
        return await self.delete("people", person_id)

    async def search_companies(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("companies", filters, **kw)

    async def create_company(self, body: Json) -> Json:
        return await self.create("companies", body)

    async def get_company(self, company_id: int) -> Json:
        return await self.get("companies", company_id)

    async def update_company(self, company_id: int, changes: Json) -> Json:
        return await self.update("companies", company_id, changes)

    async def delete_company(self, company_id: int) -> Json:
        return await self.delete("companies", company_id)

    async def search_leads(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("leads", filters, **kw)

    async def create_lead(self, body: Json) -> Json:
        return await self.create("leads", body)

    async def get_lead(self, lead_id: int) -> Json:
        return await self.get("leads", lead_id)

    async def update_lead(self, lead_id: int, changes: Json) -> Json:
        return await self.update("leads", lead_id, changes)

    async def delete_lead(self, lead_id: int) -> Json:
        return await self.delete("leads", lead_id)

    async def search_opportunities(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("opportunities", filters, **kw)

    async def create_opportunity(self, body: Json) -> Json:
        return await self.create("opportunities", body)

    async def get_opportunity(self, opportunity_id: int) -> Json:
        return await self.get("opportunities", opportunity_id)

    async def update_opportunity(self, opportunity_id: int, changes: Json) -> Json:
        return await self.update("opportunities", opportunity_id, changes)

    async def delete_opportunity(self, opportunity_id: int) -> Json:
        return await self.delete("opportunities", opportunity_id)

    async def search_tasks(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("tasks", filters, **kw)

    async def create_task(self, body: Json) -> Json:
        return await self.create("tasks", body)

    async def get_task(self, task_id: int) -> Json:
        return await self.get("tasks", task_id)

    async def update_task(self, task_id: int, changes: Json) -> Json:
        return await self.update("tasks", task_id, changes)

    async def delete_task(self, task_id: int) -> Json:
        return await self.delete("tasks", task_id)

    async def search_projects(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("projects", filters, **kw)

    async def create_project(self, body: Json) -> Json:
        return await self.create("projects", body)

    async def get_project(self, project_id: int) -> Json:
        return await self.get("projects", project_id)

    async def update_project(self, project_id: int, changes: Json) -> Json:
        return await self.update("projects", project_id, changes)

    async def delete_project(self, project_id: int) -> Json:
        return await self.delete("projects", project_id)

    async def create_activity(self, body: Json) -> Json:
        return await self.create("activities", body)

    async def search_activities(self, filters: Json | None = None, **kw: Any) -> SearchPage:
        return await self.search("activities", filters, **kw)

    async def get_activity(self, activity_id: int) -> Json:
        return await self.get("activities", activity_id)

    async def update_activity(self, activity_id: int, changes: Json) -> Json:
        return await self.update("activities", activity_id, changes)

    async def delete_activity(self, activity_id: int) -> Json:
        return await self.delete("activities", activity_id)
