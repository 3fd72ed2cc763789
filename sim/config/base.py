"""Base pydantic model for every scenario section, and fields that carry their source."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """A scenario section: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, validate_default=True, populate_by_name=True
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
