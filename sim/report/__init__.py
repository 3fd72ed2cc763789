"""Reports for planning meetings, in English or Chinese, from a run folder or a sweep's results
folder: one self-contained HTML page (charts embedded as base64 PNG) and beside it a folder of
each chart as PNG at slide resolution and each table as CSV.

    from sim.report import write_report
    write_report("runs/surge-plan", "surge-plan.html", lang="zh")  # + surge-plan_files/

One concept per module: the folder read back (study), the file it was made from (origin), the
numbers it states (numbers), the executive summary (summary), the charts (charts), the scenario's
values with their sources (assumptions, sources), provenance (provenance), the HTML pieces
shared with the drill's after-action report (html), the page (page), and writing it all (build).
"""

from sim.report.build import ReportExists, files_folder, write_report
from sim.report.study import NotAStudy

__all__ = ["NotAStudy", "ReportExists", "files_folder", "write_report"]
