"""What the Projects view's two compute lanes run: :func:`planner.analysis.analyse`, first without Monte
Carlo (drawn at once), then with it (the same analysis, samples added). No Qt here: frozen requests in,
an :class:`~planner.analysis.Analysis` out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.analysis_catalog import DbCatalog
from planner.analysis import MONTE_CARLO_SEED, Analysis, analyse
from planner.engine import CancelToken, Progress
from planner.project import Project


@dataclass(frozen=True)
class AnalysisRequest:
    """One immutable snapshot of what to analyse."""

    project: Project
    db_url: str | None
    today: dt.date
    samples: int = 0
    seed: int = MONTE_CARLO_SEED


def run_analysis(request: AnalysisRequest, cancel: CancelToken, progress: Progress) -> Analysis:
    """The lanes' function (both): the one analysis of the project in the request."""
    return analyse(
        request.project,
        DbCatalog(url=request.db_url),
        today=request.today,
        samples=request.samples,
        seed=request.seed,
        cancel=cancel,
        progress=progress,
    )
