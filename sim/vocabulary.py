"""The words gridsim's parts share, defined once: the tiers of the administrative hierarchy,
weekdays, skills, household attributes and groups, the kinds of case category and which of them
the headline KPIs count, and the activities a worker's hours go to. The scenario schema, the
engine and the KPIs all take them from here."""

from __future__ import annotations

from typing import Literal, get_args

#: Tiers a case can reach, from the grid up (区—街道—社区—网格, article #2; city departments,
#: article #5).
Tier = Literal["grid", "community", "street", "district", "city"]
TIERS: tuple[str, ...] = get_args(Tier)
#: The tiers above the grid, where departments sit and cases go up to (事项上报).
UpperTier = Literal["community", "street", "district", "city"]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)

#: What a job needs of the worker (IT reporting, mediation, field work, anything else).
Skill = Literal["general", "mediation", "it", "field"]
SKILLS: tuple[str, ...] = get_args(Skill)

#: Kinds of grid-side staff: full-time grid workers, the "6" specialists, the "N" part-time
#: members, volunteers.
MemberKind = Literal["full_time", "specialist", "part_time", "volunteer"]

#: Attributes a household may have (each drawn per household from its community's shares);
#: `managed`: it lives in a compound with a property company (物业小区), whose desk it can call.
Attribute = Literal[
    "floating", "rental", "group_rental", "shop", "elderly", "vulnerable", "managed"
]
ATTRIBUTES: tuple[str, ...] = get_args(Attribute)
#: Groups of households that revisits, monitoring and an incident's tasks may be limited to.
HouseholdGroup = Literal["all", "elderly", "vulnerable", "elderly_or_vulnerable", "floating"]

#: What a category's cases are. Residents' requests and the issues patrols find make the closed
#: loop (八步闭环) that the headline KPIs count; each other kind is a block of tasks reported on
#: its own (README, "KPIs"). Each source brings one kind only.
CategoryKind = Literal["request", "patrol", "admin", "revisit", "warning", "incident"]
CATEGORY_KINDS: tuple[str, ...] = get_args(CategoryKind)
CLOSED_LOOP_KINDS: tuple[str, ...] = ("request", "patrol")
TASK_KINDS: tuple[str, ...] = ("incident", "admin", "revisit", "warning")

#: Where a resident takes a need (article #3, A65): the grid worker, the city's 12345 hotline, or
#: the property company (物业). The last two are desks (sim.work.channels).
Channel = Literal["grid", "hotline", "property"]
CHANNELS: tuple[str, ...] = get_args(Channel)
DESKS: tuple[str, ...] = ("hotline", "property")

#: Activities every hour of a worker is accounted to (hours by activity in workers.parquet).
#: `cases`: closed-loop cases and monitoring warnings; `incident`: an incident's tasks; `admin`:
#: top-down forms; `visits`: revisits and home visits; `visits` + `patrol` is field time;
#: `meetings`: a team's recurring meetings (例会), on duty but on no job.
ACTIVITIES: tuple[str, ...] = (
    "cases",
    "incident",
    "admin",
    "visits",
    "patrol",
    "travel",
    "meetings",
    "idle",
    "off",
)
#: Activities that are work on a job (the rest is patrol, idle or off duty).
JOB_ACTIVITIES: tuple[str, ...] = ("cases", "incident", "admin", "visits", "travel")
#: The activity a worker's time on each kind of category goes to.
ACTIVITY_OF_KIND: dict[str, str] = {
    "request": "cases",
    "patrol": "cases",
    "warning": "cases",
    "incident": "incident",
    "admin": "admin",
    "revisit": "visits",
}
