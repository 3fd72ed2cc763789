"""Where work comes from: one module per source, registered here.

To add a source, write a module with a `Source` subclass (its settings `Spec`, the `kind` of
category it brings, how it draws a day of arrivals, its hooks on the case flow) and add the class
to `SOURCES`. The scenario's `sources:` block, the category checks, the model and the case table
all read this registry. Sources start in this order, which is also each one's code in the case
records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, create_model

from sim.config.base import StrictModel
from sim.work.sources.admin import AdminTasks
from sim.work.sources.base import Source, SourceContext
from sim.work.sources.incident import IncidentTasks
from sim.work.sources.initial import InitialBacklog
from sim.work.sources.monitoring import Monitoring
from sim.work.sources.patrol import PatrolIssues
from sim.work.sources.recurrence import Recurrence
from sim.work.sources.resident import ResidentRequests
from sim.work.sources.revisits import Revisits

if TYPE_CHECKING:
    from sim.scenario import Scenario

SOURCES: tuple[type[Source], ...] = (
    PatrolIssues,
    ResidentRequests,
    AdminTasks,
    Revisits,
    IncidentTasks,
    Monitoring,
    InitialBacklog,
    Recurrence,
)
#: Source names in registry order (a case's `source`, and how it reached the grid).
SOURCE_NAMES: tuple[str, ...] = tuple(source.name for source in SOURCES)
#: Sources every scenario must set under `sources:`.
REQUIRED: tuple[str, ...] = ("resident",)

Sources = create_model(
    "Sources",
    __base__=StrictModel,
    __doc__="Where work comes from: one block per source.",
    **{
        source.key: (
            (source.Spec, Field(description=source.Spec.__doc__))
            if source.key in REQUIRED
            else (source.Spec | None, Field(None, description=source.Spec.__doc__))
        )
        for source in SOURCES
        if source.key is not None
    },
)


def start_sources(context: SourceContext) -> dict[str, Source]:
    """Start every source the scenario configures, by name (registry order)."""
    started = {}
    for source in SOURCES:
        spec = source.configured(context.scenario)
        if spec is not None:
            started[source.name] = source(context, spec)
    return started


def named_categories(scenario: Scenario) -> list[tuple[str, str, str | None]]:
    """(category, field path that names it, kind the source needs or None) for every category
    a source names, brought or not."""
    return [
        (category, where, source.kind)
        for source in SOURCES
        for category, where in source.categories(scenario)
    ]


def arriving_categories(scenario: Scenario) -> dict[str, str]:
    """Categories that reach the grids, with the field that brings each (the first source's)."""
    arriving: dict[str, str] = {}
    for source in SOURCES:
        if source.configured(scenario) is not None:
            for category, where in source.categories(scenario):
                arriving.setdefault(category, where)
    return arriving


__all__ = [
    "SOURCES",
    "SOURCE_NAMES",
    "Source",
    "SourceContext",
    "Sources",
    "arriving_categories",
    "named_categories",
    "start_sources",
]
