"""Base pydantic model for every scenario section, fields that carry their source, and fields
that hold one of several kinds of mapping."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag


class StrictModel(BaseModel):
    """A scenario section: unknown keys are errors, values are validated on assignment, and no
    number is NaN or infinite (`.nan`, `.inf`, `1e999`: a simulation cannot use them, and JSON
    cannot hold them)."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        validate_default=True,
        populate_by_name=True,
        allow_inf_nan=False,
    )


def sourced(default: Any, source: str, description: str = "", **kwargs: Any) -> Any:
    """A field whose default says where it comes from (article, public statistic or assumption).

    The source is kept in the JSON Schema (`x-source`) so editors and reports can show it.
    """
    text = f"{description} Source: {source}".strip()
    extra = {"x-source": source}
    if callable(default):
        return Field(default_factory=default, description=text, json_schema_extra=extra, **kwargs)
    return Field(default, description=text, json_schema_extra=extra, **kwargs)


def one_of(kinds: tuple[type[StrictModel], ...]) -> Any:
    """The type of a field that holds one of several kinds of mapping, each told apart by the
    key it holds (its class's `key`: `{mobilise: cadres}`, `{backlog_above: 300}`): exactly one
    of the keys must be given."""

    def kind(value: Any) -> str | None:
        if isinstance(value, StrictModel):
            return type(value).__name__
        if not isinstance(value, dict):
            return None
        given = [option for option in kinds if option.key in value]
        return given[0].__name__ if len(given) == 1 else None

    keys = ", ".join(option.key for option in kinds)
    tagged = tuple(Annotated[option, Tag(option.__name__)] for option in kinds)
    return Annotated[
        Union[tagged],  # noqa: UP007 - built from a tuple of classes at run time
        Discriminator(
            kind, custom_error_type="one_kind", custom_error_message=f"give exactly one of {keys}"
        ),
    ]
