"""A drill played together (the app's shared session): the clock advances by its speed times
the wall-clock time, stops at the horizon; refusals are shown and the drill goes on; every change
wakes the screens; and a play in the room replays from its script to the same run."""

from __future__ import annotations

import json
import threading
import time

import pandas as pd
import pytest

from sim.drill import DrillSession, Script, play_drill
from sim.drill.room import DrillRoom

from drill_parts import drill


def room(tmp_path, **changes) -> DrillRoom:
    return DrillRoom(DrillSession(drill(changes or None)), tmp_path / "out")


def test_the_clock_advances_by_speed_times_wall_time_only_while_it_runs(tmp_path):
    play = room(tmp_path, clock={"speed": 0.5})
    assert play.session.now == 10.0 and play.speed == 0.5
    play.elapse(4.0)
    assert play.session.now == 10.0  # not started
    assert play.start().ok
    play.elapse(4.0)
    assert play.session.now == pytest.approx(12.0)
    assert play.set_speed(3.0).ok
    play.elapse(1.0)
    assert play.session.now == pytest.approx(15.0)
    play.pause()
    play.elapse(10.0)
    assert play.session.now == pytest.approx(15.0)
    assert not play.set_speed(0).ok and play.speed == 3.0


def test_the_clock_stops_at_the_horizon(tmp_path):
    play = room(tmp_path)
    play.start()
    play.set_speed(100.0)
    play.elapse(1.0)
    assert play.session.now == 48.0 and not play.running
    outcome = play.start()
    assert not outcome.ok and "finish it" in outcome.message


def test_the_clock_thread_runs_the_drill_and_wakes_the_screens(tmp_path):
    play = room(tmp_path)
    play.run_clock()
    try:
        version = play.view()["version"]
        play.set_speed(20.0)
        play.start()
        deadline = time.monotonic() + 20
        while play.session.now < 12.0 and time.monotonic() < deadline:
            version = play.wait(version, timeout=1.0)
        assert play.session.now >= 12.0
        play.pause()
        paused_at = play.session.now
        time.sleep(0.3)
        assert play.session.now == paused_at
    finally:
        play.close()


def test_a_screen_waiting_is_woken_by_a_decision_from_another(tmp_path):
    play = room(tmp_path)
    version = play.view()["version"]
    woken: list[int] = []
    screen = threading.Thread(target=lambda: woken.append(play.wait(version, timeout=10)))
    screen.start()
    play.decide("street", {"set_mode": "alert"})
    screen.join()
    assert woken == [version + 1]
    assert play.view()["log"][-1]["what"] == "set_mode: alert"


def test_refusals_are_shown_logged_and_the_drill_goes_on(tmp_path):
    play = room(tmp_path)
    outcome = play.decide("secretary", {"fire": "call"})
    assert not outcome.ok
    assert outcome.message == "refused: role 'secretary' may not decide plan 'call'"
    outcome = play.inject("volcano")
    assert not outcome.ok and "no inject 'volcano'" in outcome.message
    log = play.view()["log"]
    assert [entry["outcome"] for entry in log] == ["refused", "refused"]
    assert play.decide("secretary", {"mobilise": "cadres", "count": 2}).ok
    play.start()
    play.elapse(10.0)
    assert play.session.now > 10.0


def test_the_view_is_plain_json_computed_once_per_change(tmp_path):
    play = room(tmp_path)
    first = play.view()
    assert play.view() is first
    json.dumps(first)
    assert {"grids", "kpis", "objectives", "log", "running", "speed", "saved"} <= set(first)
    play.pause()
    assert play.view() is not first


def test_a_play_in_the_room_replays_from_its_script_to_the_same_run(tmp_path):
    play = room(tmp_path, clock={"speed": 0.7})
    play.start()
    play.elapse(3.3)
    assert play.decide("secretary", {"mobilise": "cadres", "count": 2, "ramp": "30min"}).ok
    play.elapse(5.1)
    assert play.inject("rumour").ok
    assert not play.decide("street", {"fire": "nothing"}).ok
    play.elapse(4.45)
    assert play.decide("street", {"fire": "call"}).ok
    play.set_speed(2.5)
    play.elapse(2.2)
    assert play.inject({"worker_ill": "cadres", "duration": "2h"}, "cadre_ill").ok
    outcome = play.finish()
    assert outcome.ok and (tmp_path / "out" / "drill_log.json").is_file()
    assert outcome.message == "finished at 48.00 h" and play.saved == tmp_path / "out"
    assert play.finish().message == "the drill is over: its folder is written"  # once
    assert not play.decide("street", {"set_mode": "alert"}).ok

    script = Script.model_validate(play.session.script())
    again, _ = play_drill(drill({"clock": {"speed": 0.7}}), script, out=tmp_path / "again")

    def plain(session: DrillSession) -> list[dict]:
        return [
            {k: v for k, v in entry.record().items() if k != "wall"}
            for entry in session.log
            if entry.outcome != "refused"
        ]

    assert plain(again) == plain(play.session)
    assert again.objectives() == play.session.objectives()
    saved = json.loads((tmp_path / "out" / "objectives.json").read_text(encoding="utf-8"))
    assert saved == json.loads(json.dumps(again.objectives()))
    for table in ("cases", "jobs", "events"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "out" / "run" / f"{table}.parquet"),
            pd.read_parquet(tmp_path / "again" / "run" / f"{table}.parquet"),
        )


def test_finish_writes_the_after_action_report_in_a_thread_and_tells_the_screens(tmp_path):
    from sim.drill.report import write_report

    def report(folder, played):
        return write_report(folder, played, replays=0)

    play = DrillRoom(DrillSession(drill()), tmp_path / "out", report)
    assert play.view()["report"] is None
    version = play.view()["version"]
    assert play.finish().ok
    assert play.view()["report"] == "being written"
    deadline = time.monotonic() + 120
    while play.report_path is None and time.monotonic() < deadline:
        version = play.wait(version, timeout=1.0)
    view = play.view()
    assert view["report"] == f"written: {tmp_path / 'out' / 'report.html'}"
    assert view["report_path"] == str(tmp_path / "out" / "report.html")
    assert "<html" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_a_report_that_fails_is_shown_not_lost(tmp_path):
    def report(folder, played):
        raise OSError("disk full")

    play = DrillRoom(DrillSession(drill()), tmp_path / "out", report)
    play.finish()
    deadline = time.monotonic() + 60
    while play.view()["report"] == "being written" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert play.view()["report"] == "not written: OSError: disk full"
    assert play.view()["report_path"] is None
