"""The vocabulary of the entity catalog: field and filter types, and the specs built from them.

`copper_desktop.domain.catalog` holds the data (one `EntitySpec` per Copper entity) and
re-exports everything here, so code imports both from the catalog. Pure Python, no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from types import MappingProxyType

NONE_SENTINEL = -2
"""Id that means "no value" in the id-list filters that allow it (§3.1), e.g. unassigned."""

ADDRESS_KEYS: tuple[str, ...] = ("street", "city", "state", "postal_code", "country")
PARENT_TYPES: tuple[str, ...] = ("lead", "person", "company", "opportunity", "project", "task")
WEBHOOK_TYPES: tuple[str, ...] = (*PARENT_TYPES, "activity_log")
WEBHOOK_EVENTS: tuple[str, ...] = ("new", "update", "delete")
SORT_DIRECTIONS: tuple[str, ...] = ("asc", "desc")


class FieldType(StrEnum):
    """How a value is stored in the record and therefore edited and displayed."""

    ID = "id"
    TEXT = "text"
    MULTILINE = "multiline"
    URL = "url"
    EMAIL_LIST = "email_list"  # [{email, category}]
    SINGLE_EMAIL = "single_email"  # lead: {email, category} | null
    PHONE_LIST = "phone_list"  # [{number, category}]
    SOCIAL_LIST = "social_list"  # [{url, category}]
    WEBSITE_LIST = "website_list"  # [{url, category}], category may be null
    ADDRESS = "address"  # {street, city, state, postal_code, country} | null, sent whole
    TAGS = "tags"  # [str], sent whole
    REF = "ref"  # integer id of a `lookup` kind
    ENUM = "enum"  # one of `choices`
    MULTI_ENUM = "multi_enum"  # list of `choices` values (MultiSelect custom fields)
    DATETIME = "datetime"  # unix seconds
    DATE = "date"  # unix seconds, date-only meaning (custom Date fields)
    CLOSE_DATE = "close_date"  # "M/D/YYYY" (or "D/M/YYYY") string
    MONEY = "money"  # number; currency from `currency_key` or `currency`
    CURRENCY_CODE = "currency_code"  # e.g. "USD"
    PERCENT = "percent"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    RELATED_RESOURCE = "related_resource"  # {id, type} | null (tasks, projects)
    PARENT = "parent"  # {id, type} (activities)
    ACTIVITY_TYPE = "activity_type"  # {id, category}
    STRING_MAP = "string_map"  # webhook secret/headers: {str: str}
    CUSTOM_FIELDS = "custom_fields"  # the raw [{custom_field_definition_id, value}] list
    CONNECT = "connect"  # Connect custom field: managed via /related_links
    JSON = "json"  # anything else; shown, never edited


class Editability(StrEnum):
    """Whether a field may appear in a create body, an update body, or neither."""

    EDITABLE = "editable"
    CREATE_ONLY = "create_only"
    READ_ONLY = "read_only"


class LookupKind(StrEnum):
    """The list a reference id points into (resolved to names by lookup models)."""

    USERS = "users"
    CONTACT_TYPES = "contact_types"
    COMPANIES = "companies"
    PEOPLE = "people"
    LEADS = "leads"
    OPPORTUNITIES = "opportunities"
    PROJECTS = "projects"
    TASKS = "tasks"
    PIPELINES = "pipelines"
    PIPELINE_STAGES = "pipeline_stages"
    LEAD_STATUSES = "lead_statuses"
    CUSTOMER_SOURCES = "customer_sources"
    LOSS_REASONS = "loss_reasons"
    CUSTOM_ACTIVITY_TYPES = "custom_activity_types"
    ACTIVITY_TYPES = "activity_types"


class Operation(StrEnum):
    """Copper operations an entity supports; the GUI enables actions from these."""

    LIST = "list"  # GET /{path} without search (webhooks)
    SEARCH = "search"
    GET = "get"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    BULK_CREATE = "bulk_create"
    BULK_UPDATE = "bulk_update"
    CONVERT = "convert"
    ACTIVITIES = "activities"  # POST /{path}/{id}/activities
    RELATED = "related"  # /{path}/{id}/related
    FETCH_BY_EMAIL = "fetch_by_email"
    UPSERT = "upsert"


class FilterType(StrEnum):
    """Shape of one search filter's value in the search body."""

    IDS = "ids"  # ids of the entity itself
    TEXT = "text"
    TEXT_LIST = "text_list"  # [str]
    COUNTRY = "country"  # two-letter code
    ID_LIST = "id_list"  # [int] of `lookup`, maybe with NONE_SENTINEL
    ENUM_LIST = "enum_list"  # [value] of `choices`
    TAGS = "tags"  # [str] or {option, value}
    DATE_RANGE = "date_range"  # minimum_<key>/maximum_<key>, unix seconds
    NUMBER_RANGE = "number_range"  # minimum_<key>/maximum_<key>, numbers
    PHONE = "phone"  # str or {value, match}
    FOLLOWED = "followed"  # 1 followed, 2 not followed
    AGE = "age"  # maximum age in seconds
    BOOLEAN = "boolean"
    PARENT = "parent"  # {id, type}
    ACTIVITY_TYPES = "activity_types"  # [{id, category}]
    CUSTOM_DROPDOWN = "custom_dropdown"  # value: [option id], allow_empty
    CUSTOM_MULTI_SELECT = "custom_multi_select"  # value, option ANY|ALL|NONE, allow_empty
    CUSTOM_RANGE = "custom_range"  # minimum_value/maximum_value
    CUSTOM_CHECKBOX = "custom_checkbox"  # value: bool


RANGE_FILTERS = frozenset({FilterType.DATE_RANGE, FilterType.NUMBER_RANGE, FilterType.CUSTOM_RANGE})


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of an enum field or filter, with its display label."""

    value: str | int
    label: str


def label_of(choices: Iterable[Choice], value: object) -> str | None:
    """The label of `value` among `choices`, or None; types must match (1 is not True)."""
    for choice in choices:
        if choice.value == value and type(choice.value) is type(value):
            return choice.label
    return None


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One key of a record. Custom fields have key `cf_<id>` and `custom_field_id` set."""

    key: str
    label: str
    type: FieldType = FieldType.TEXT
    editability: Editability = Editability.EDITABLE
    required: bool = False
    lookup: LookupKind | None = None
    choices: tuple[Choice, ...] = ()
    sort_by: str | None = None
    currency_key: str | None = None  # record key holding the currency (monetary_unit)
    currency: str | None = None  # fixed currency (Currency custom fields)
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    custom_field_id: int | None = None
    data_type: str | None = None  # custom fields: Copper's data_type

    @property
    def editable(self) -> bool:
        """True when an update (PUT) may change this field."""
        return self.editability is Editability.EDITABLE

    @property
    def creatable(self) -> bool:
        """True when a create (POST) body may carry this field."""
        return self.editability is not Editability.READ_ONLY

    @property
    def is_custom(self) -> bool:
        return self.custom_field_id is not None

    @property
    def sortable(self) -> bool:
        return self.sort_by is not None

    def choice_label(self, value: object) -> str | None:
        """Display label of an enum value, or None when the value is not a known choice."""
        return label_of(self.choices, value)


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """One search filter. `key` is the body key (ranges: the stem of minimum_/maximum_)."""

    key: str
    label: str
    type: FilterType
    lookup: LookupKind | None = None
    allows_none: bool = False  # NONE_SENTINEL may be sent
    choices: tuple[Choice, ...] = ()
    value_type: FieldType | None = None  # ranges: DATETIME, DATE, NUMBER, INTEGER, MONEY, PERCENT
    custom_field_id: int | None = None
    allow_empty: bool = False  # custom Dropdown/MultiSelect may ask for "unset"
    currency: str | None = None

    @property
    def is_range(self) -> bool:
        return self.type in RANGE_FILTERS

    @property
    def is_custom(self) -> bool:
        return self.custom_field_id is not None

    @property
    def minimum_key(self) -> str:
        """Body key of the lower bound (custom ranges live inside the custom_fields entry)."""
        self._require_range()
        return "minimum_value" if self.is_custom else f"minimum_{self.key}"

    @property
    def maximum_key(self) -> str:
        self._require_range()
        return "maximum_value" if self.is_custom else f"maximum_{self.key}"

    @property
    def body_keys(self) -> tuple[str, ...]:
        """Top-level search-body keys this filter may write (custom ones write custom_fields)."""
        if self.is_custom:
            return ("custom_fields",)
        if self.is_range:
            return (self.minimum_key, self.maximum_key)
        return (self.key,)

    def _require_range(self) -> None:
        if not self.is_range:
            raise TypeError(f"filter {self.key!r} is not a range")


@dataclass(frozen=True, slots=True)
class SortOption:
    """One documented `sort_by` value; `field_key`/`subkey` name the column it orders."""

    value: str
    label: str
    field_key: str | None = None
    subkey: str | None = None  # e.g. "city" inside "address"


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """Everything the app knows about one entity type, independent of the account."""

    key: str
    type: str  # singular Copper type: person, company, …
    label: str
    plural_label: str
    path: str
    operations: frozenset[Operation]
    fields: tuple[FieldSpec, ...]
    filters: tuple[FilterSpec, ...] = ()
    sort_options: tuple[SortOption, ...] = ()
    default_sort: str | None = None
    default_sort_direction: str = "asc"
    default_columns: tuple[str, ...] = ()
    related: tuple[str, ...] = ()  # entity keys this one may be related to (§11)
    webhook_type: str | None = None
    _by_key: Mapping[str, FieldSpec] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", MappingProxyType({f.key: f for f in self.fields}))

    def field(self, key: str) -> FieldSpec:
        """The field with this key; KeyError for keys the catalog does not know."""
        return self._by_key[key]

    def has_field(self, key: str) -> bool:
        return key in self._by_key

    @property
    def field_keys(self) -> frozenset[str]:
        return frozenset(self._by_key)

    @property
    def has_custom_fields(self) -> bool:
        return "custom_fields" in self._by_key

    def filter(self, key: str) -> FilterSpec:
        for spec in self.filters:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @property
    def sort_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.sort_options)

    def supports(self, operation: Operation) -> bool:
        return operation in self.operations

    def editable_fields(self) -> Iterator[FieldSpec]:
        return (f for f in self.fields if f.editable)
