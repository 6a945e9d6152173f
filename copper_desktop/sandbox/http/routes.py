"""Every Copper operation under ``/developer_api/v1``: records, searches, bulk, upsert,
conversion, related items, related links, webhooks subscriptions and lookups (copper-behaviour.md).

Handlers are async but call the store synchronously: the store is used only from the event
loop's thread, so requests are serialised and every operation sees a consistent database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.convertors import IntegerConvertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from copper_desktop.sandbox.context import SandboxContext
from copper_desktop.sandbox.core.account import Account
from copper_desktop.sandbox.core.fields import as_int
from copper_desktop.sandbox.core.operations import Operations
from copper_desktop.sandbox.core.queries import compile_search, parse_paging
from copper_desktop.sandbox.core.refusals import ApiError, Invalid, NotFound, unknown_keys_error
from copper_desktop.sandbox.core.relations import Relations
from copper_desktop.sandbox.core.shapes import PLURALS, Changes, RecordEvent, WebhookEvent
from copper_desktop.sandbox.http.bodies import BadBody, request_json
from copper_desktop.sandbox.http.responses import error_response
from copper_desktop.sandbox.settings import API_PREFIX

Json = dict[str, Any]
Handler = Callable[[Request], Awaitable[Response]]

BULK_CREATE = ("people", "companies", "leads", "opportunities", "activities")
BULK_UPDATE = ("people", "companies", "leads")
BULK_LIMIT = 10
RECORD_ACTIVITIES = ("leads", "people", "companies")
RELATED_PLURALS = ("people", "companies", "leads", "opportunities", "projects", "tasks")

__all__ = ["build_routes", "webhook_type"]

NO_SUCH_ID = 2**63
"""What every path id beyond 64 bits becomes: no record can have it, so it is simply not found."""


class RecordIdConvertor(IntegerConvertor):
    """A path id. Starlette's ``int`` would raise on more than 4,300 digits (a 500); every id
    SQLite cannot hold is one id that exists nowhere."""

    def convert(self, value: str) -> int:
        return int(value) if len(value) <= 19 else NO_SUCH_ID


register_url_convertor("id", RecordIdConvertor())


def webhook_type(kind: str) -> str:
    """Webhooks call activities ``activity_log``."""
    return "activity_log" if kind == "activity" else kind


def endpoint(fn: Handler) -> Handler:
    """Turns ApiError and BadBody into Copper's envelope so handlers can simply raise."""

    async def wrapper(request: Request) -> Response:
        try:
            return await fn(request)
        except (ApiError, BadBody) as e:
            return error_response(e.status, e.message)

    wrapper.__name__ = fn.__name__
    return wrapper


def computed(request: Request) -> bool:
    return request.query_params.get("custom_field_computed_values", "").lower() == "true"


def user_of(request: Request) -> Json | None:
    user: Json | None = getattr(request.state, "user", None)
    return user


def path_id(request: Request, name: str = "id") -> int:
    return int(request.path_params[name])


class Api:
    """The HTTP face of Operations: parses requests, shapes answers, emits webhook events."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx

    async def body(self, request: Request) -> Any:
        """The request's JSON body (strict, within the size limit); BadBody otherwise."""
        return await request_json(request, self.ctx.settings.max_body_bytes)

    @property
    def relations(self) -> Relations:
        return Relations(self.ops)

    @property
    def account(self) -> Account:
        return Account(self.ops)

    @property
    def ops(self) -> Operations:
        # Built per request: the control API may swap settings or reload the store at run time.
        return Operations(self.ctx)

    def emit(
        self, kind: str, event: WebhookEvent, ids: list[int], changes: Changes | None = None
    ) -> None:
        if ids:
            self.ctx.events.emit(RecordEvent(webhook_type(kind), event, ids, changes))

    # ----------------------------------------------------------------- records
    def record_routes(self, plural: str) -> list[BaseRoute]:
        kind = PLURALS[plural]

        @endpoint
        async def create(request: Request) -> Response:
            body = await self.body(request)
            record = self.ops.create(kind, body, user_of(request))
            self.emit(kind, "new", [record["id"]])
            return JSONResponse(self.ops.rules.render(kind, record, computed=computed(request)))

        @endpoint
        async def get(request: Request) -> Response:
            record = self.ops.get(kind, path_id(request))
            return JSONResponse(self.ops.rules.render(kind, record, computed=computed(request)))

        @endpoint
        async def update(request: Request) -> Response:
            body = await self.body(request)
            body = {} if body is None else body
            record, changes = self.ops.update(kind, path_id(request), body, user_of(request))
            if changes:
                self.emit(kind, "update", [record["id"]], changes)
            return JSONResponse(self.ops.rules.render(kind, record, computed=computed(request)))

        @endpoint
        async def delete(request: Request) -> Response:
            rid = path_id(request)
            self.ops.delete(kind, rid)
            self.emit(kind, "delete", [rid])
            return JSONResponse({"id": rid, "is_deleted": True})

        @endpoint
        async def search(request: Request) -> Response:
            body = await self.body(request)
            ops = self.ops
            plan = compile_search(kind, body, ops.rules)
            total = ops.store.count(kind, plan.where_sql, plan.params)
            records = (
                []
                if plan.empty_page
                else ops.store.select(
                    kind, plan.where_sql, plan.params, plan.order, plan.limit, plan.offset
                )
            )
            flag = computed(request)
            return JSONResponse(
                [ops.rules.render(kind, r, computed=flag) for r in records],
                headers={"X-PW-TOTAL": str(total)},
            )

        base = f"/{plural}"
        return [
            Route(base, endpoint=create, methods=["POST"]),
            Route(f"{base}/search", endpoint=search, methods=["POST"]),
            Route(f"{base}/{{id:id}}", endpoint=get, methods=["GET"]),
            Route(f"{base}/{{id:id}}", endpoint=update, methods=["PUT"]),
            Route(f"{base}/{{id:id}}", endpoint=delete, methods=["DELETE"]),
        ]

    # ----------------------------------------------------------------- bulk
    def bulk_routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = []
        for plural in BULK_CREATE:
            routes.append(
                Route(
                    f"/{plural}/bulk_create", endpoint=self._bulk(plural, False), methods=["POST"]
                )
            )
        for plural in BULK_UPDATE:
            routes.append(
                Route(f"/{plural}/bulk_update", endpoint=self._bulk(plural, True), methods=["POST"])
            )
        return routes

    def _bulk(self, plural: str, updating: bool) -> Handler:
        kind = PLURALS[plural]

        @endpoint
        async def bulk(request: Request) -> Response:
            body = await self.body(request)
            if not isinstance(body, dict) or not isinstance(body.get(plural), list):
                raise Invalid([(plural, "must be an array of records")])
            unknown = [k for k in body if k != plural]
            if unknown:
                raise unknown_keys_error(unknown)
            items: list[Any] = body[plural]
            if len(items) > BULK_LIMIT:
                return JSONResponse(
                    {"error": f"Request size too large, limit is {BULK_LIMIT}"}, status_code=422
                )
            ops = self.ops
            flag = computed(request)
            results: list[Json] = []
            created: list[int] = []
            for item in items:
                results.append(
                    self._bulk_item(ops, kind, item, updating, user_of(request), flag, created)
                )
            self.emit(kind, "new", created)
            return JSONResponse(results)

        return bulk

    def _bulk_item(
        self,
        ops: Operations,
        kind: str,
        item: Any,
        updating: bool,
        user: Json | None,
        flag: bool,
        created: list[int],
    ) -> Json:
        item_id = item.get("id") if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict):
                raise Invalid([("base", "each item must be an object")])
            if updating:
                rid = as_int(item_id)
                if rid is None or rid <= 0:
                    raise Invalid([("id", "can't be blank")])
                body = {k: v for k, v in item.items() if k != "id"}
                try:
                    record, changes = ops.update(kind, rid, body, user)
                except NotFound:
                    raise Invalid([("id", "Resource not found")]) from None
                if changes:
                    self.emit(kind, "update", [rid], changes)
            else:
                record = ops.create(kind, item, user)
                created.append(record["id"])
            return ops.rules.render(kind, record, computed=flag)
        except Invalid as e:
            failed: Json = {"success": False, "message": e.as_bulk()}
            if updating:
                failed["id"] = item_id
            return failed

    # ----------------------------------------------------------------- lead specials
    def lead_routes(self) -> list[BaseRoute]:
        @endpoint
        async def upsert(request: Request) -> Response:
            body = await self.body(request)
            record, event, changes = self.ops.upsert_lead(body, user_of(request))
            if event == "new":
                self.emit("lead", "new", [record["id"]])
            elif changes:
                self.emit("lead", "update", [record["id"]], changes)
            return JSONResponse(self.ops.rules.render("lead", record, computed=computed(request)))

        @endpoint
        async def convert(request: Request) -> Response:
            body = await self.body(request)
            result = self.ops.convert_lead(path_id(request), body, user_of(request))
            flag = computed(request)
            shape = self.ctx.settings.convert_answer
            out: Json = {}
            if shape != "ids":  # "objects": what was not made is absent, not null (§10)
                for kind in ("person", "company", "opportunity"):
                    record = result.get(kind)
                    if record is not None:
                        out[kind] = self.ops.rules.render(kind, record, computed=flag)
                    elif shape == "both":
                        out[kind] = None
            if shape != "objects":
                for kind in ("person", "company", "opportunity"):
                    record = result.get(kind)
                    out[f"{kind}_id"] = None if record is None else record["id"]
            for kind in result.get("created", []):
                self.emit(kind, "new", [result[kind]["id"]])
            return JSONResponse(out)

        @endpoint
        async def fetch_by_email(request: Request) -> Response:
            body = await self.body(request)
            record = self.ops.fetch_person_by_email(body)
            return JSONResponse(self.ops.rules.render("person", record, computed=computed(request)))

        routes: list[BaseRoute] = [
            Route("/leads/upsert", endpoint=upsert, methods=["PUT"]),
            Route("/leads/{id:id}/convert", endpoint=convert, methods=["POST"]),
            Route("/people/fetch_by_email", endpoint=fetch_by_email, methods=["POST"]),
        ]
        for plural in RECORD_ACTIVITIES:
            routes.append(
                Route(
                    f"/{plural}/{{id:id}}/activities",
                    endpoint=self._record_activities(PLURALS[plural]),
                    methods=["POST"],
                )
            )
        return routes

    def _record_activities(self, kind: str) -> Handler:
        @endpoint
        async def activities(request: Request) -> Response:
            body = await self.body(request)
            body = {} if body is None else body
            if not isinstance(body, dict):
                raise Invalid([("base", "Request body must be a JSON object")])
            unknown = [k for k in body if k not in ("activity_types", "page_number", "page_size")]
            if unknown:
                raise unknown_keys_error(unknown)
            ops = self.ops
            ops.get(kind, path_id(request))
            search = {"parent": {"id": path_id(request), "type": kind}, **body}
            plan = compile_search("activity", search, ops.rules)
            records = ops.store.select(
                "activity", plan.where_sql, plan.params, plan.order, plan.limit, plan.offset
            )
            return JSONResponse([ops.rules.render("activity", r) for r in records])

        return activities

    # ----------------------------------------------------------------- related items
    def related_routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = []
        for plural in RELATED_PLURALS:
            kind = PLURALS[plural]
            routes += [
                Route(
                    f"/{plural}/{{id:id}}/related",
                    endpoint=self._related_list(kind),
                    methods=["GET"],
                ),
                Route(
                    f"/{plural}/{{id:id}}/related/{{other}}",
                    endpoint=self._related_list(kind),
                    methods=["GET"],
                ),
                Route(
                    f"/{plural}/{{id:id}}/related",
                    endpoint=self._related_change(kind, add=True),
                    methods=["POST"],
                ),
                Route(
                    f"/{plural}/{{id:id}}/related",
                    endpoint=self._related_change(kind, add=False),
                    methods=["DELETE"],
                ),
            ]
        return routes

    def _related_list(self, kind: str) -> Handler:
        @endpoint
        async def related(request: Request) -> Response:
            other = request.path_params.get("other")
            other_kind = None
            if other is not None:
                other_kind = PLURALS.get(other)
                if other_kind is None or other_kind == "activity":
                    return JSONResponse({"error": "not_found"}, status_code=404)
            items = self.relations.related(kind, path_id(request))
            if other_kind:
                items = [i for i in items if i["type"] == other_kind]
            return JSONResponse(items)

        return related

    def _related_change(self, kind: str, *, add: bool) -> Handler:
        @endpoint
        async def change(request: Request) -> Response:
            body = await self.body(request)
            resource = self.relations.change_related(kind, path_id(request), body, add=add)
            key = "added" if add else "removed"
            return JSONResponse({key: True, "resource": resource})

        return change

    # ----------------------------------------------------------------- related links
    def related_link_routes(self) -> list[BaseRoute]:
        @endpoint
        async def list_links(request: Request) -> Response:
            q = request.query_params
            return JSONResponse(
                self.relations.related_links(
                    q.get("custom_field_definition_id"), q.get("source_type"), q.get("source_id")
                )
            )

        @endpoint
        async def create_link(request: Request) -> Response:
            return JSONResponse(self.relations.create_related_link(await self.body(request)))

        @endpoint
        async def delete_link(request: Request) -> Response:
            ids = self.relations.delete_related_link(path_id(request))
            return JSONResponse({"ids": ids, "is_deleted": True})

        return [
            Route("/related_links", endpoint=list_links, methods=["GET"]),
            Route("/related_links", endpoint=create_link, methods=["POST"]),
            Route("/related_links/{id:id}", endpoint=delete_link, methods=["DELETE"]),
        ]

    # ----------------------------------------------------------------- webhooks
    def webhook_routes(self) -> list[BaseRoute]:
        @endpoint
        async def list_hooks(request: Request) -> Response:
            return JSONResponse(self.ops.store.list_webhooks())

        @endpoint
        async def create_hook(request: Request) -> Response:
            return JSONResponse(self.account.create_webhook(await self.body(request)))

        @endpoint
        async def get_hook(request: Request) -> Response:
            hook = self.ops.store.get_webhook(path_id(request))
            if hook is None:
                raise NotFound()
            return JSONResponse(hook)

        @endpoint
        async def update_hook(request: Request) -> Response:
            body = await self.body(request)
            return JSONResponse(self.account.update_webhook(path_id(request), body))

        @endpoint
        async def delete_hook(request: Request) -> Response:
            wid = path_id(request)
            if not self.ops.store.delete_webhook(wid):
                raise NotFound()
            return JSONResponse({"id": wid})

        return [
            Route("/webhooks", endpoint=list_hooks, methods=["GET"]),
            Route("/webhooks", endpoint=create_hook, methods=["POST"]),
            Route("/webhooks/{id:id}", endpoint=get_hook, methods=["GET"]),
            Route("/webhooks/{id:id}", endpoint=update_hook, methods=["PUT"]),
            Route("/webhooks/{id:id}", endpoint=delete_hook, methods=["DELETE"]),
        ]

    # ----------------------------------------------------------------- lookups
    def lookup_routes(self) -> list[BaseRoute]:
        def meta(key: str) -> Handler:
            @endpoint
            async def handler(request: Request) -> Response:
                return JSONResponse(self.ops.store.meta(key))

            return handler

        @endpoint
        async def users_search(request: Request) -> Response:
            body = await self.body(request)
            body = {} if body is None else body
            if not isinstance(body, dict):
                raise Invalid([("base", "Request body must be a JSON object")])
            unknown = [k for k in body if k not in ("page_number", "page_size")]
            if unknown:
                raise unknown_keys_error(unknown)
            limit, offset, past = parse_paging(body, self.ctx.settings.search_cap)
            users = self.ops.store.users()
            page = [] if past else users[offset : offset + limit]
            return JSONResponse(
                [{k: u.get(k) for k in ("id", "name", "email")} for u in page],
                headers={"X-PW-TOTAL": str(len(users))},
            )

        @endpoint
        async def user_me(request: Request) -> Response:
            user = user_of(request)
            if user is None:
                raise NotFound()
            return JSONResponse(self.account.user_view(int(user["id"])))

        @endpoint
        async def user_get(request: Request) -> Response:
            return JSONResponse(self.account.user_view(path_id(request)))

        @endpoint
        async def pipeline_stages(request: Request) -> Response:
            pid = request.path_params.get("id")
            return JSONResponse(self.account.pipeline_stages(None if pid is None else int(pid)))

        @endpoint
        async def tags(request: Request) -> Response:
            q = request.query_params
            return JSONResponse(
                self.account.tags(
                    sort_by=q.get("sort_by", "name"),
                    names_only=q.get("tag_names_only", "").lower() == "true",
                    after=q.get("last_tag_value"),
                )
            )

        @endpoint
        async def cfd_list(request: Request) -> Response:
            return JSONResponse(self.ops.rules.definitions())

        @endpoint
        async def cfd_get(request: Request) -> Response:
            d = self.ops.rules.definition(path_id(request))
            if d is None:
                raise NotFound()
            return JSONResponse(d)

        @endpoint
        async def cfd_create(request: Request) -> Response:
            return JSONResponse(self.account.save_definition(None, await self.body(request)))

        @endpoint
        async def cfd_update(request: Request) -> Response:
            body = await self.body(request)
            return JSONResponse(self.account.save_definition(path_id(request), body))

        @endpoint
        async def cfd_delete(request: Request) -> Response:
            did = path_id(request)
            self.account.delete_definition(did)
            return JSONResponse({"id": did, "is_deleted": True})

        @endpoint
        async def cat_get(request: Request) -> Response:
            return JSONResponse(self.account.custom_activity_type(path_id(request)))

        @endpoint
        async def cat_create(request: Request) -> Response:
            return JSONResponse(
                self.account.save_custom_activity_type(None, await self.body(request))
            )

        @endpoint
        async def cat_update(request: Request) -> Response:
            body = await self.body(request)
            return JSONResponse(self.account.save_custom_activity_type(path_id(request), body))

        simple = {
            "/account": "account",
            "/pipelines": "pipelines",
            "/contact_types": "contact_types",
            "/lead_statuses": "lead_statuses",
            "/customer_sources": "customer_sources",
            "/loss_reasons": "loss_reasons",
            "/activity_types": "activity_types",
            "/custom_activity_types": "custom_activity_types",
        }
        routes: list[BaseRoute] = [
            Route(path, endpoint=meta(key), methods=["GET"]) for path, key in simple.items()
        ]
        routes += [
            Route("/users/search", endpoint=users_search, methods=["POST"]),
            Route("/users/me", endpoint=user_me, methods=["GET"]),
            Route("/users/{id:id}", endpoint=user_get, methods=["GET"]),
            Route("/pipeline_stages", endpoint=pipeline_stages, methods=["GET"]),
            Route("/pipeline_stages/pipeline/{id:id}", endpoint=pipeline_stages, methods=["GET"]),
            Route("/tags", endpoint=tags, methods=["GET"]),
            Route("/custom_field_definitions", endpoint=cfd_list, methods=["GET"]),
            Route("/custom_field_definitions", endpoint=cfd_create, methods=["POST"]),
            Route("/custom_field_definitions/{id:id}", endpoint=cfd_get, methods=["GET"]),
            Route("/custom_field_definitions/{id:id}", endpoint=cfd_update, methods=["PUT"]),
            Route("/custom_field_definitions/{id:id}", endpoint=cfd_delete, methods=["DELETE"]),
            Route("/custom_activity_types", endpoint=cat_create, methods=["POST"]),
            Route("/custom_activity_types/{id:id}", endpoint=cat_get, methods=["GET"]),
            Route("/custom_activity_types/{id:id}", endpoint=cat_update, methods=["PUT"]),
        ]
        return routes


def build_routes(ctx: SandboxContext) -> list[BaseRoute]:
    """Every Copper operation, mounted under the API prefix."""
    api = Api(ctx)
    routes: list[BaseRoute] = []
    # Specific paths first so that e.g. /leads/upsert never meets /leads/{id}.
    routes += api.lead_routes()
    routes += api.bulk_routes()
    for plural in PLURALS:
        routes += api.record_routes(plural)
    routes += api.related_routes()
    routes += api.related_link_routes()
    routes += api.webhook_routes()
    routes += api.lookup_routes()
    return [
        Route(
            API_PREFIX + r.path,
            endpoint=r.endpoint,
            methods=sorted(r.methods or ()),
            name=f"{sorted(r.methods or ())[0]} {r.path}",
        )
        for r in routes
        if isinstance(r, Route)
    ]
