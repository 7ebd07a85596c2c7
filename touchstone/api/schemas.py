from typing import Any, ClassVar

from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator


class PatchSchema(Schema):
    """A partial update: a field left out keeps its value, and null is refused unless the field may be empty."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        # The schema says what the validator does: only the NULLABLE fields take null.
        schema = handler.resolve_ref_schema(handler(core_schema))
        for name, field in schema.get("properties", {}).items():
            if name in cls.NULLABLE or "anyOf" not in field:
                continue
            kinds = [kind for kind in field["anyOf"] if kind.get("type") != "null"]
            if len(kinds) == 1:
                del field["anyOf"]
                field.update(kinds[0])
            else:
                field["anyOf"] = kinds
        return schema

    @field_validator("*", mode="before")
    @classmethod
    def refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value


class AgencyOut(Schema):
    abbreviation: str
    name: str
    slug: str
    parent: str | None = Field(None, description="Abbreviation of the parent department")
    is_independent: bool
    mission: str
    website: str

    @staticmethod
    def resolve_parent(obj: object) -> str | None:
        parent = getattr(obj, "parent", None)
        return parent.abbreviation if parent is not None else None


class OfficeOut(Schema):
    id: int
    name: str
    kind: str
    street_address: str
    city: str
    state: str
    postal_code: str
    phone: str
    hours: str
    time_zone: str


class OfficeIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = "field_office"
    street_address: str = ""
    city: str = ""
    state: str = Field("", max_length=2)
    postal_code: str = ""
    phone: str = ""
    hours: str = ""
    time_zone: str = "America/New_York"


class OfficePatch(PatchSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: str | None = None
    street_address: str | None = None
    city: str | None = None
    state: str | None = Field(None, max_length=2)
    postal_code: str | None = None
    phone: str | None = None
    hours: str | None = None
    time_zone: str | None = None


class ImportRunOut(Schema):
    id: int
    kind: str
    original_name: str
    status: str
    dry_run: bool
    rows_done: int
    summary: dict
    errors: list
