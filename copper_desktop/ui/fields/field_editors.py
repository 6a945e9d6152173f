"""`make_editor`: the editor widget for a catalog `FieldType`, and every editor class by name.

Every editor is a `FieldEditor` (see `editor_base`): `value()` is Copper's JSON form of the
field, `input_error()` explains text that cannot become a value, and nothing is emitted by
`set_value`. Typed editors (text, numbers, dates) live in `text_editors`, picked ones (lists,
tags, check boxes, read-only display) in `choice_editors`, lists, address and key/value maps in
`list_editors`, record references (company, person, related resource) in `record_picker`.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtWidgets import QWidget

from copper_desktop.domain.catalog import Editability, FieldSpec, FieldType, LookupKind
from copper_desktop.models.lookups import PICKABLE, RESOLVABLE, Lookups
from copper_desktop.ui.fields.choice_editors import (
    BooleanEditor,
    ChoiceEditor,
    MultiChoiceEditor,
    ReadOnlyEditor,
    StageEditor,
    TagsEditor,
)
from copper_desktop.ui.fields.editor_base import NONE_LABEL, FieldEditor
from copper_desktop.ui.fields.list_editors import (
    AddressEditor,
    CategorizedListEditor,
    SingleEmailEditor,
    StringMapEditor,
)
from copper_desktop.ui.fields.record_picker import RecordRefEditor, ResourceEditor, SearchClient
from copper_desktop.ui.fields.text_editors import (
    DateEditor,
    MultilineEditor,
    NumberEditor,
    TextEditor,
)

__all__ = [
    "NONE_LABEL",
    "BooleanEditor",
    "ChoiceEditor",
    "DateEditor",
    "FieldEditor",
    "MultiChoiceEditor",
    "MultilineEditor",
    "NumberEditor",
    "ReadOnlyEditor",
    "StageEditor",
    "TagsEditor",
    "TextEditor",
    "make_editor",
]

# --- the factory ----------------------------------------------------------------------------------

_NUMBERS: Final = frozenset(
    {
        FieldType.NUMBER,
        FieldType.INTEGER,
        FieldType.MONEY,
        FieldType.PERCENT,
        FieldType.CURRENCY_CODE,
    }
)
_LISTS: Final = frozenset(
    {FieldType.EMAIL_LIST, FieldType.PHONE_LIST, FieldType.SOCIAL_LIST, FieldType.WEBSITE_LIST}
)
_DISPLAY_ONLY: Final = frozenset(
    {FieldType.ID, FieldType.JSON, FieldType.CONNECT, FieldType.CUSTOM_FIELDS}
)


def make_editor(
    field: FieldSpec,
    lookups: Lookups,
    client: SearchClient | None,
    parent: QWidget | None = None,
) -> FieldEditor:
    """The editor for `field`. Read-only fields (`Editability.READ_ONLY`) start read-only;
    the record form switches create-only fields as needed. `client` feeds record pickers
    (company, person, related resource); without one they only show names."""
    kind = field.type
    editor: FieldEditor
    if kind in _DISPLAY_ONLY:
        editor = ReadOnlyEditor(field, lookups, parent)
    elif kind in (FieldType.TEXT, FieldType.URL):
        editor = TextEditor(field, parent)
    elif kind is FieldType.MULTILINE:
        editor = MultilineEditor(field, parent)
    elif kind in _LISTS:
        editor = CategorizedListEditor(field, parent)
    elif kind is FieldType.SINGLE_EMAIL:
        editor = SingleEmailEditor(field, parent)
    elif kind is FieldType.ADDRESS:
        editor = AddressEditor(field, parent)
    elif kind is FieldType.TAGS:
        editor = TagsEditor(field, lookups, parent)
    elif kind is FieldType.REF and field.lookup is LookupKind.PIPELINE_STAGES:
        editor = StageEditor(field, lookups, parent)
    elif kind is FieldType.REF and field.lookup in RESOLVABLE:
        editor = RecordRefEditor(field, lookups, client, parent)
    elif (kind is FieldType.REF and field.lookup in PICKABLE) or kind in (
        FieldType.ENUM,
        FieldType.ACTIVITY_TYPE,
    ):
        editor = ChoiceEditor(field, lookups, parent)
    elif kind is FieldType.MULTI_ENUM:
        editor = MultiChoiceEditor(field, parent)
    elif kind in (FieldType.DATETIME, FieldType.DATE, FieldType.CLOSE_DATE):
        editor = DateEditor(field, parent)
    elif kind in _NUMBERS:
        editor = NumberEditor(field, parent)
    elif kind is FieldType.BOOLEAN:
        editor = BooleanEditor(field, parent)
    elif kind in (FieldType.RELATED_RESOURCE, FieldType.PARENT):
        editor = ResourceEditor(field, lookups, client, parent)
    elif kind is FieldType.STRING_MAP:
        editor = StringMapEditor(field, parent)
    else:  # a REF kind with no list (activity types by id): shown by name, not edited
        editor = ReadOnlyEditor(field, lookups, parent)
    editor.set_read_only(field.editability is Editability.READ_ONLY)
    return editor
