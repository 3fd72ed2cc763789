"""Needs that come back after their case closed (article #5, A69: after the e-bike shed was
built, the 15 grid workers watch for new private wiring; docs/sources.md M5's recurrence). A
category with `recurrence: {p, after}` recurs with probability p: `after` the closure, a new case
of the same category, household and grid opens at the grid (found by the workers' post-resolution
monitoring, so it comes through no resident channel). A recurring case may recur in turn.

Common random numbers: whether a closed case recurs, when, and everything about the new case
(work content, escalation path, closing delays) are drawn at closure from a generator keyed to
the closed case's identity — its source and its sequence number in that source, both fixed
before any staffing acts — never from a stream consumed in closure order. So two staffing arms
with the same seed draw the same recurrence for the same need; only its time differs, as the
closure it counts from does. The new case's sequence number is derived from the same identity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.rng import derive_seed, stable_key
from sim.work.case import CLOSED
from sim.work.sources.base import Source, SourceContext

if TYPE_CHECKING:
    from sim.config.channels import Recurrence as RecurrenceSpec
    from sim.scenario import Scenario
    from sim.work.case import Case
    from sim.work.intake import Batch

#: Sequence numbers of recurring cases are hashes below 2**52 (case records hold floats).
SEQ_BITS = 52


class Recurrence(Source):
    """Closed cases whose need comes back."""

    name = "recurrence"

    @classmethod
    def configured(cls, scenario: Scenario) -> dict[str, RecurrenceSpec] | None:
        """The recurrence of each category that may recur, or None when none may."""
        rules = {
            name: category.recurrence
            for name, category in scenario.categories.items()
            if category.recurrence is not None and category.recurrence.p > 0
        }
        return rules or None

    @classmethod
    def categories(cls, scenario: Scenario) -> list[tuple[str, str]]:
        """The categories that may recur."""
        return [(name, f"categories.{name}.recurrence") for name in cls.configured(scenario) or {}]

    @classmethod
    def multipliers(cls, rules: dict[str, RecurrenceSpec]) -> dict[str, float]:
        """Arrivals of each recurring category per first arrival: 1 / (1 − p), the recurrences
        of recurrences included."""
        return {name: 1.0 / (1.0 - rule.p) for name, rule in rules.items()}

    def __init__(self, context: SourceContext, rules: dict[str, RecurrenceSpec]) -> None:
        index = context.category_index
        self.rules = {index[name]: rule for name, rule in rules.items()}
        self.seed = context.streams.seed
        self.key = stable_key(f"arrivals/{self.name}")
        super().__init__(context, rules)
        self.flow.closure_watchers.append(self.closed)

    def day(self, day: int) -> Batch | None:
        """Recurrences come at closures, not by the day."""
        return None

    def closed(self, case: Case) -> None:
        """A case closed: draw whether its need comes back, and open the new case then."""
        rule = self.rules.get(case.category)
        if rule is None or case.status != CLOSED:
            return
        identity = (stable_key(case.source), case.source_seq)
        sequence = np.random.SeedSequence(self.seed, spawn_key=(self.key, *identity))
        rng = np.random.Generator(np.random.PCG64(sequence))
        recurs = rng.random() < rule.p
        delay = float(rule.after.sample(rng, 1)[0])
        at = self.env.now + delay
        if not recurs or at >= self.horizon:
            return
        batch = self.intake.draw(
            np.array([at]),
            np.array([case.category]),
            np.array([case.grid]),
            np.array([case.household]),
            rng=rng,
        )
        batch.seq = [derive_seed(self.seed, case.source, case.source_seq) >> (63 - SEQ_BITS)]
        parent = case.id
        self.env.timeout(delay).callbacks.append(lambda _: self._reopen(batch, parent))

    def _reopen(self, batch: Batch, parent: int) -> None:
        self.intake.open(batch, 0).reopens = parent
