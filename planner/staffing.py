"""Staffing by deployment model: FTE ranges per MLOps capability, from “Model Training, Fine-Tuning & Experiment Tracking: On-Premises” §9 (editable per project).

Source: "F69 — Model Training, Fine-Tuning & Experiment Tracking: On-Premises" (research note dated
2026-02-19), §9 "Deployment Model Comparison Table", FTE rows; its assumption line adds "an additional
0.25 FTE per major infrastructure component in the on-premises model" for on-call. The note marks the
ranges [UNVERIFIED] estimates (mid-size ISV, 50 enterprise customers, 3–5 fine-tuning runs a month,
7B–70B models): projects may override any cell with ``staffing_table``.

Units: FTE (full-time equivalents). Cost = FTE × loaded annual cost / 12 per month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

DeploymentModel = Literal["onprem", "managed_k8s", "cloud_native"]
DEPLOYMENT_MODELS: tuple[DeploymentModel, ...] = ("onprem", "managed_k8s", "cloud_native")

SEED_SOURCE = "“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” (research note, 2026-02-19), §9 Deployment Model Comparison Table"

SEED_FTE_TABLE: Mapping[str, Mapping[str, tuple[float, float]]] = {
    "onprem": {
        "fine_tuning": (2.0, 4.0),
        "experiment_tracking": (0.5, 1.0),
        "data_labeling": (0.5, 1.0),
        "model_registry": (0.25, 0.5),
        "hpo": (0.5, 1.0),
    },
    "managed_k8s": {
        "fine_tuning": (1.0, 2.0),
        "experiment_tracking": (0.25, 0.5),
        "data_labeling": (0.25, 0.5),
        "model_registry": (0.1, 0.25),
        "hpo": (0.25, 0.5),
    },
    "cloud_native": {
        "fine_tuning": (0.25, 0.5),
        "experiment_tracking": (0.0, 0.1),
        "data_labeling": (0.1, 0.25),
        "model_registry": (0.0, 0.1),
        "hpo": (0.0, 0.1),
    },
}
"""FTE (low, high) per deployment model and capability, as printed in “Model Training, Fine-Tuning & Experiment Tracking: On-Premises” §9."""

ON_CALL_FTE_PER_ONPREM_COMPONENT = 0.25
"""“Model Training, Fine-Tuning & Experiment Tracking: On-Premises” §9 assumption: on-call adds 0.25 FTE per major on-premises infrastructure component."""


def deployment_model_for(kind: str, managed: bool = False) -> DeploymentModel:
    """Staffing row for an option kind: onprem/hybrid → onprem; managed_k8s → managed_k8s; a managed ML
    service (SageMaker, Vertex AI, Azure ML) → cloud_native; bare cloud VMs → managed_k8s (self-managed
    GPU nodes are the closest row the seed gives)."""
    if kind in ("onprem", "hybrid"):
        return "onprem"
    if kind == "cloud" and managed:
        return "cloud_native"
    return "managed_k8s"


def fte_for(
    model: DeploymentModel,
    stack: Iterable[str],
    point: Literal["low", "mid", "high"] = "mid",
    table: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
) -> float:
    """FTEs (count) to run ``stack`` (capabilities, see planner.project.MLOPS_COMPONENTS) under ``model``.

    ``point`` picks the low end, the midpoint or the high end of each range. On-premises adds
    :data:`ON_CALL_FTE_PER_ONPREM_COMPONENT` per component run (each capability in the stack is one major
    component). ``table`` overrides cells of :data:`SEED_FTE_TABLE`.
    """
    total = 0.0
    components = list(dict.fromkeys(stack))
    for comp in components:
        low, high = _cell(model, comp, table)
        total += low if point == "low" else high if point == "high" else (low + high) / 2.0
    if model == "onprem":
        total += ON_CALL_FTE_PER_ONPREM_COMPONENT * len(components)
    return total


def _cell(
    model: str, comp: str, table: Mapping[str, Mapping[str, tuple[float, float]]] | None
) -> tuple[float, float]:
    if table is not None and comp in table.get(model, {}):
        return table[model][comp]
    try:
        return SEED_FTE_TABLE[model][comp]
    except KeyError:
        raise KeyError(f"no FTE figure for {comp!r} under {model!r}") from None
