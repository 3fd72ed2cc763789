"""The drill app (`gridsim drill DRILL.yaml`): a Solara page in the browser over one drill played
together (sim.drill.room). Everyone who opens the page plays the same drill; each screen picks a
role: the facilitator runs the clock, fires the listed injects or improvises one, and finishes
the drill; a player (社区书记, 网格长, 街道 …) takes the decisions the drill allows that role.
Every screen shows the map, the KPIs and objectives, the messages of the injects and the log.

`serve(room, host, port)` runs the page with uvicorn until Ctrl-C."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, cast

import solara
import yaml

from sim.drill.forms import (
    INJECT_KINDS,
    STAND_DOWN,
    TITLES,
    FormField,
    decision_fields,
    decision_kinds,
    decision_spec,
    inject_template,
    stand_down_options,
)
from sim.drill.map_layout import Colouring, layout, map_svg
from sim.drill.map_layout import Layout as TileLayout  # solara takes `Layout` for its own
from sim.drill.room import DrillRoom, Outcome

#: The facilitator's role on a screen (the players' roles are the drill's).
FACILITATOR = "facilitator"
#: Seconds between two refreshes of a screen while the clock runs.
REFRESH_S = 0.5
#: The map's colourings, by the words on their buttons.
COLOURINGS: dict[str, Colouring] = {"open cases": "open_cases", "screened": "screened"}
#: An objective's status, by its colour.
STATUS_COLOURS = {
    "met": "#1b5e20",
    "missed": "#b71c1c",
    "at risk": "#e65100",
    "on track": "#0d47a1",
}
CSS = """
.drill-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.drill-table th, .drill-table td { border-bottom: 1px solid #ddd; padding: 3px 6px;
  text-align: left; vertical-align: top; }
.drill-table th { background: #f5f5f5; }
.drill-status { color: white; border-radius: 4px; padding: 1px 6px; white-space: nowrap; }
.drill-clock { font-size: 20px; font-weight: bold; }
.drill-map-box { overflow: auto; max-height: 640px; }
"""

#: The drill served, and its map's layout (set by `serve`).
ROOM: DrillRoom | None = None
PLAN: TileLayout | None = None


# -- words and tables ---------------------------------------------------------------------


def moment_text(hours: float) -> str:
    """Hours from the run's start as a day of the run and a time of day: `day 2 21:05`."""
    minutes = round(hours * 60)
    day, minute = divmod(minutes, 24 * 60)
    return f"day {day} {minute // 60:02d}:{minute % 60:02d}"


def _number(value: float | None, unit: str = "", digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def kpi_rows(view: dict) -> list[tuple[str, str]]:
    """The KPIs of the moment in words (see the README's drill section)."""
    kpis = view["kpis"]
    screening = kpis["screening"]
    share = screening["share"]
    return [
        ("backlog (open closed-loop cases)", str(kpis["backlog"])),
        ("open tasks", str(kpis["open_tasks"])),
        ("oldest open case", _number(kpis["oldest_open_h"], " h")),
        ("first response, last 24 h", _number(kpis["first_response_h"], " h")),
        ("cases of the last 24 h not started", str(kpis["recent_waiting"])),
        (
            "screening coverage",
            "–"
            if share is None
            else f"{share:.0%} ({screening['done']} of {screening['tasks']} households)",
        ),
        ("overtime so far", _number(kpis["overtime_h"], " h", 1)),
    ]


def objective_value(objective: dict) -> str:
    """An objective's value with its unit."""
    value, unit = objective["value"], objective["unit"]
    if value is None:
        return "–"
    return f"{value:.0%}" if unit == "share" else f"{value:.3g} {unit}"


def html_table(headers: list[str], rows: list[list[str]], name: str) -> str:
    """An HTML table of already escaped cells, with the class `drill-table` and `name`."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="drill-table {name}"><tr>{head}</tr>{body}</table>'


def status_badge(status: str) -> str:
    """An objective's status as a coloured badge."""
    colour = STATUS_COLOURS.get(status, "#616161")
    return f'<span class="drill-status" style="background:{colour}">{escape(status)}</span>'


def log_rows(log: list[dict]) -> list[list[str]]:
    """The log, newest first: simulated time, wall-clock time, who, what, outcome, detail."""
    rows = []
    for entry in reversed(log):
        wall = datetime.fromisoformat(entry["wall"]).astimezone().strftime("%H:%M:%S")
        what = entry["what"] if not entry["name"] else f"{entry['name']}: {entry['what']}"
        rows.append(
            [
                escape(f"{moment_text(entry['sim_h'])} ({entry['sim_h']:.2f} h)"),
                wall,
                escape(f"{entry['kind']} · {entry['role']}"),
                escape(what),
                escape(entry["outcome"]),
                escape(entry["detail"]),
            ]
        )
    return rows


def resources_table(resources: dict) -> str:
    """The drill's resources: members on call now, mobilised by hand so far, and the limit."""
    rows = [
        [
            escape(f"{name} {resource['label_zh']}".strip()),
            f"{resource['on_call']} of {resource['members']}",
            str(resource["mobilised"]),
            "–" if resource["limit"] is None else str(resource["limit"]),
        ]
        for name, resource in resources.items()
    ]
    headers = ["resource", "on call", "mobilised by hand", "limit"]
    return html_table(headers, rows, "drill-resources")


# -- the page -----------------------------------------------------------------------------


def use_room(room: DrillRoom) -> None:
    """Re-render this screen when the room changes (at most every REFRESH_S)."""
    _, set_version = solara.use_state(room.version)

    def watch(cancel: threading.Event) -> None:
        seen = room.version
        while not cancel.is_set():
            seen = room.wait(seen, timeout=1.0)
            set_version(seen)
            cancel.wait(REFRESH_S)

    solara.use_thread(watch, dependencies=[], intrusive_cancel=False)


@solara.component
def Page() -> None:
    """One screen of the drill served."""
    if ROOM is None or PLAN is None:
        solara.Error("no drill is being served: start it with gridsim drill DRILL.yaml")
    else:
        Screen(ROOM, PLAN)


@solara.component
def Screen(room: DrillRoom, plan: TileLayout) -> None:
    """One screen of the drill played in `room`, its map laid out as `plan`: who I am, and the
    board of that role."""
    drill = room.session.drill
    roles = [FACILITATOR, *drill.roles]
    role, set_role = solara.use_state(FACILITATOR)
    solara.Style(CSS)
    solara.Title(f"drill {drill.name}")
    with solara.Column(style={"padding": "8px 16px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text(f"{drill.name} {drill.label_zh}", style={"font-size": "22px"})
            solara.Text("I am:", style={"margin-left": "24px"})
            solara.ToggleButtonsSingle(
                value=role, values=roles, on_value=set_role, classes=["drill-role"]
            )
        Board(room, plan, role)


@solara.component
def Board(room: DrillRoom, plan: TileLayout, role: str) -> None:
    """What `role` sees of the room, re-rendered as it changes. Every input is in a component
    that gets only what it shows (the forms, the clock's controls, the map's colouring), so
    that the clock's ticks re-render neither them nor the choice of role: a click landing in a
    re-render can be undone by it."""
    use_room(room)
    view = room.view()
    if view["error"]:
        solara.Error(view["error"])
    with solara.Columns([3, 2]):
        with solara.Column():
            Clock(room, view, role == FACILITATOR)
            MapPanel(view, plan)
            Kpis(view)
        with solara.Column():
            if role == FACILITATOR:
                Injects(room, view["injects"])
            else:
                Decisions(room, role, view["plans"], view["log"], view["resources"]).key(
                    f"decisions-{role}"  # a form per role
                )
            Messages(view)
    Log(view)


@solara.component
def Clock(room: DrillRoom, view: dict, facilitator: bool) -> None:
    """The simulated time, the mode and plans in force; the facilitator's start, pause,
    speed and finish."""
    running = "running" if view["running"] else "paused"
    if view["saved"]:
        running = "finished"
    with solara.Card("Clock"):
        text = (
            f"{moment_text(view['sim_h'])} · {view['sim_h']:.2f} h of {view['horizon_h']:g} h · "
            f"{running} · {view['speed']:g} h/s"
        )
        solara.HTML(unsafe_innerHTML=escape(text), classes=["drill-clock"])
        in_force = [name for name, plan in view["plans"].items() if plan["in_force"]]
        mode = f"mode: {view['mode']} · plans in force: {', '.join(in_force) or 'none'}"
        solara.HTML(unsafe_innerHTML=escape(mode), classes=["drill-mode"])
        if facilitator:
            ClockControls(room)
        if view["saved"]:
            solara.Success(f"drill folder written: {view['saved']}", classes=["drill-saved"])
            Report(view)


@solara.component
def ClockControls(room: DrillRoom) -> None:
    """The facilitator's start, pause, speed and finish, and what became of the last of them
    (a component of its own, which the clock's ticks do not re-render)."""
    outcome, set_outcome = solara.use_state(cast(Outcome | None, None))
    speed, set_speed = solara.use_state(room.speed)
    with solara.Row(style={"align-items": "center"}):
        solara.Button("Start", on_click=lambda: set_outcome(room.start()), color="primary")
        solara.Button("Pause", on_click=lambda: set_outcome(room.pause()))
        solara.InputFloat(
            "speed (simulated h per second)",
            value=speed,
            on_value=set_speed,
            continuous_update=True,
            classes=["drill-speed"],
        )
        solara.Button("Set speed", on_click=lambda: set_outcome(room.set_speed(speed)))
        solara.Button("Finish", on_click=lambda: set_outcome(room.finish()), color="warning")
    Shown(outcome)


@solara.component
def Report(view: dict) -> None:
    """The after-action report's status; once written, a button that downloads it (the
    screen may be on another machine than the drill folder)."""
    status = view["report"]
    if status is None:
        return
    if view["report_path"] is not None:
        solara.Success(f"after-action report {status}", classes=["drill-report"])
        path = Path(view["report_path"])
        solara.FileDownload(
            lambda: path.read_bytes(),
            filename=path.name,
            label="Download the report",
            mime_type="text/html",
        )
    elif status.startswith("not written"):
        solara.Error(f"after-action report {status}", classes=["drill-report"])
    else:
        solara.Info(f"after-action report {status} …", classes=["drill-report"])


@solara.component
def Shown(outcome: Outcome | None) -> None:
    """What became of the last request from this screen."""
    if outcome is None:
        return
    if outcome.ok:
        solara.Success(outcome.message, dense=True, classes=["drill-outcome"])
    else:
        solara.Error(outcome.message, dense=True, classes=["drill-outcome", "drill-refusal"])


@solara.component
def MapPanel(view: dict, plan: TileLayout) -> None:
    """The tiled map of the area's grids."""
    shown, set_shown = solara.use_state("open cases")
    with solara.Card("Map"):
        MapColouring(shown, set_shown)
        svg = map_svg(plan, view["grids"], COLOURINGS[shown])
        solara.HTML(unsafe_innerHTML=svg, classes=["drill-map-box"])


@solara.component
def MapColouring(shown: str, on_shown: Callable[[str], None]) -> None:
    """What the map's colours show (a component of its own, which the clock's ticks do not
    re-render)."""
    solara.ToggleButtonsSingle(value=shown, values=list(COLOURINGS), on_value=on_shown)


@solara.component
def Kpis(view: dict) -> None:
    """The KPIs of the moment, staff on duty by role, and the objectives with their status."""
    with solara.Card("KPIs"):
        rows = [[escape(label), escape(value)] for label, value in kpi_rows(view)]
        solara.HTML(unsafe_innerHTML=html_table(["KPI", "now"], rows, "drill-kpis"))
        staff = [
            [escape(name), str(count["on_duty"]), str(count["members"])]
            for name, count in view["kpis"]["staff_on_duty"].items()
        ]
        solara.HTML(
            unsafe_innerHTML=html_table(["staff", "on duty", "members"], staff, "drill-staff")
        )
    with solara.Card("Objectives"):
        rows = []
        for name, objective in view["objectives"].items():
            when = objective["met_at_h"] or objective["missed_at_h"]
            rows.append(
                [
                    escape(f"{name} {objective['label_zh']}".strip()),
                    escape(moment_text(objective["by_h"])),
                    escape(objective_value(objective)),
                    status_badge(objective["status"]),
                    "" if when is None else escape(moment_text(when)),
                ]
            )
        headers = ["objective", "by", "value", "status", "settled"]
        solara.HTML(unsafe_innerHTML=html_table(headers, rows, "drill-objectives"))


@solara.component
def Decisions(room: DrillRoom, role: str, plans: dict, log: list[dict], resources: dict) -> None:
    """The decisions `role` may take, as forms, given the `plans` in force, the `log` so far
    and the `resources` (the room's view of each)."""
    drill = room.session.drill
    kinds = decision_kinds(drill, role)
    kind, set_kind = solara.use_state(kinds[0])
    values, set_values = solara.use_state(cast(dict[str, Any], {}))
    outcome, set_outcome = solara.use_state(cast(Outcome | None, None))
    if kind not in kinds:  # the screen changed role
        kind = kinds[0]
    options = stand_down_options(drill, role, plans, log)
    fields = decision_fields(kind, drill, role, room.session.model.world, options)

    def choose(new: str) -> None:
        set_kind(new)
        set_values({})

    def decide() -> None:
        spec, name = decision_spec(kind, {f.key: values.get(f.key) for f in fields})
        set_outcome(room.decide(role, spec, name))

    with solara.Card(f"Decisions · {role} {drill.roles[role].label_zh}"):
        titles = {TITLES[k]: k for k in kinds}
        solara.ToggleButtonsSingle(
            value=TITLES[kind],
            values=list(titles),
            on_value=lambda title: choose(titles[title]),
            classes=["drill-decision-kind"],
            style={"flex-wrap": "wrap", "height": "auto"},
        )
        for field in fields:
            Input(field, values.get(field.key), lambda v, k=field.key: set_values({**values, k: v}))
        if kind == STAND_DOWN and not options:
            solara.Info("nothing of yours is in force to stand down", dense=True)
        solara.Button("Decide", on_click=decide, color="primary", classes=["drill-decide"])
        Shown(outcome)
        if kind == "mobilise":
            solara.HTML(unsafe_innerHTML=resources_table(resources))


@solara.component
def Input(field: FormField, value: Any, on_value: Any) -> None:
    """One input of a form."""
    label = field.label + (" *" if field.required else "")
    classes = [f"drill-field-{field.key}"]
    if field.kind == "choice":
        solara.Select(label, field.options, value, on_value, classes=classes)
    elif field.kind == "choices":
        solara.SelectMultiple(label, value or [], field.options, on_value, classes=classes)
    elif field.kind == "integer":
        solara.InputInt(
            label, value, on_value, optional=True, continuous_update=True, classes=classes
        )
    else:
        solara.InputText(label, value or "", on_value, continuous_update=True, classes=classes)


@solara.component
def Injects(room: DrillRoom, injects: dict) -> None:
    """The facilitator's injects: the listed ones not fired yet (`injects`, the room's view of
    them), and one improvised."""
    outcome, set_outcome = solara.use_state(cast(Outcome | None, None))
    kind, set_kind = solara.use_state(INJECT_KINDS[0])
    text, set_text = solara.use_state(_template_text(room, INJECT_KINDS[0]))
    name, set_name = solara.use_state("")

    def choose(new: str) -> None:
        set_kind(new)
        set_text(_template_text(room, new))

    def improvise() -> None:
        try:
            spec = yaml.safe_load(text)
        except yaml.YAMLError as error:
            set_outcome(Outcome(False, f"not YAML: {error}"))
            return
        if not isinstance(spec, dict):
            set_outcome(Outcome(False, "write the inject as a mapping, as in a drill file"))
            return
        set_outcome(room.inject(spec, name or None))

    with solara.Card("Injects"):
        Shown(outcome)
        rows = [(n, i) for n, i in injects.items() if i["fired_h"] is None]
        for inject_name, inject in rows:
            when = "by hand" if inject["at_h"] is None else moment_text(inject["at_h"])
            with solara.Row(style={"align-items": "center"}):
                solara.Button(
                    f"Fire {inject_name}",
                    on_click=lambda n=inject_name: set_outcome(room.inject(n)),
                    classes=["drill-fire"],
                )
                solara.Text(f"{inject['kind']} · {when} · {inject['label_zh']}")
        if not rows:
            solara.Text("every listed inject has been fired")
        solara.HTML(unsafe_innerHTML="<b>Improvise</b> an inject, written as in a drill file:")
        solara.Select("kind", list(INJECT_KINDS), kind, choose, classes=["drill-inject-kind"])
        solara.InputTextArea(
            "inject", value=text, on_value=set_text, continuous_update=True, rows=6
        )
        solara.InputText("name (empty: improvised-n)", value=name, on_value=set_name)
        solara.Button("Fire improvised", on_click=improvise, classes=["drill-improvise"])


def _template_text(room: DrillRoom, kind: str) -> str:
    template = inject_template(room.session.drill, kind)
    return yaml.safe_dump(template, allow_unicode=True, sort_keys=False)


@solara.component
def Messages(view: dict) -> None:
    """What the players have been told: the injects fired, newest first."""
    fired = sorted(
        (i for i in view["injects"].values() if i["fired_h"] is not None),
        key=lambda i: -i["fired_h"],
    )
    with solara.Card("Messages"):
        if not fired:
            solara.Text("no inject yet")
        for inject in fired:
            when = escape(moment_text(inject["fired_h"]))
            what = escape(f"{inject['label_zh']}: {inject['message']}")
            solara.HTML(unsafe_innerHTML=f"<b>{when}</b> {what}", classes=["drill-message"])


@solara.component
def Log(view: dict) -> None:
    """Every decision and inject, newest first, and the decisions the injects expected."""
    with solara.Card("Log"):
        headers = ["simulated", "wall clock", "who", "what", "outcome", "detail"]
        solara.HTML(unsafe_innerHTML=html_table(headers, log_rows(view["log"]), "drill-log"))
        expected = [
            [
                escape(e["inject"]),
                escape(e["expects"]),
                escape(moment_text(e["due_h"])),
                "–" if e["taken_h"] is None else escape(moment_text(e["taken_h"])),
                escape(e["outcome"]),
            ]
            for e in view["expectations"]
        ]
        if expected:
            headers = ["inject", "expects", "due", "taken", "outcome"]
            solara.HTML(unsafe_innerHTML=html_table(headers, expected, "drill-expectations"))


# -- serving ------------------------------------------------------------------------------


def serve(room: DrillRoom, host: str, port: int) -> None:
    """Serve the drill app for `room` at http://host:port until interrupted; the room's
    clock runs meanwhile."""
    global ROOM, PLAN
    ROOM, PLAN = room, layout(room.session.model.world)
    os.environ["SOLARA_APP"] = __name__
    import solara.server.settings as settings
    import uvicorn

    settings.telemetry.mixpanel_enable = False
    settings.main.mode = "production"
    room.run_clock()
    try:
        config = uvicorn.Config(
            "solara.server.starlette:app", host=host, port=port, log_level="warning"
        )
        uvicorn.Server(config).run()
    finally:
        room.close()
