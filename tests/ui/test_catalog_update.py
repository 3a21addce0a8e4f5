"""Catalog view: the "Update prices…" dialog reads a real SkyPilot snapshot, shows the diff, applies it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.catalog.conftest import DATA
from tests.ui.test_catalog_history import page, shipped_db  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui
NEBIUS = DATA / "packs" / "skypilot" / "nebius" / "vms.csv"


def _nebius(page: Any) -> list[Any]:  # noqa: F811
    return [v for v in page.models["cloud"].values() if v.provider == "Nebius"]


def test_update_dialog_shows_the_diff_then_applies_it(page: Any, qtbot: Any) -> None:  # noqa: F811
    shipped = len(_nebius(page))
    qtbot.mouseClick(page.update_button, Qt.MouseButton.LeftButton)
    dialog = page.update_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.apply_button.isEnabled()
    dialog.set_files([NEBIUS])
    dialog.set_as_of(dt.date(2026, 8, 10))
    with qtbot.waitSignal(dialog.diff_ready, timeout=30_000):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    text = dialog.summary_label.text()
    assert "SkyPilot catalog (vms.csv), Nebius, 21 priced GPU rows" in text
    assert (
        "18 added, 1 changed, 0 unchanged, 3 no longer listed, 2 kept (the catalog&#x27;s price is newer)"
        in text
    )
    assert dialog.changes.topLevelItemCount() == 18 + 1 + 3
    first = dialog.changes.topLevelItem(0)
    assert (first.text(0), first.text(1)) == (
        "changed",
        "Nebius / gpu-h100-sxm_8gpu-128vcpu-1600gb / eu-north1",
    )
    assert first.text(3) == "— → $10"  # spot: none in the catalog, 10.00 in the snapshot
    assert len(_nebius(page)) == shipped  # nothing written yet
    with qtbot.waitSignal(dialog.applied, timeout=60_000):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.is_ready, timeout=30_000)
    assert not dialog.isVisible()
    assert len(_nebius(page)) == shipped + 18
    assert "Updated cloud prices: 18 added" in page.message_label.text()


def test_update_dialog_refuses_a_bad_file_with_row_and_reason(page: Any, qtbot: Any, tmp_path: Path) -> None:  # noqa: F811
    bad = tmp_path / "nebius" / "vms.csv"
    bad.parent.mkdir()
    lines = NEBIUS.read_text().splitlines()
    lines[43] = lines[43].replace(",3.50,eu-north1,", ",3.5O,eu-north1,")
    bad.write_text("\n".join(lines) + "\n")
    dialog = page.open_update_dialog()
    dialog.set_files([bad])
    dialog.set_as_of(dt.date(2026, 8, 10))
    with qtbot.waitSignal(dialog.diff_ready, timeout=30_000):
        dialog.preview()
    assert "row 44, column Price: not a number: &#x27;3.5O&#x27;" in dialog.summary_label.text()
    assert "nothing imported" in dialog.summary_label.text()
    assert not dialog.apply_button.isEnabled()
    dialog.reject()


def test_update_dialog_reads_aws_and_azure_price_list_json(page: Any, qtbot: Any) -> None:  # noqa: F811
    packs = DATA / "packs"
    dialog = page.open_update_dialog()
    dialog.set_files([packs / "aws" / "ec2_offer.json", packs / "azure" / "retail_prices.json"])
    dialog.set_as_of(dt.date(2026, 11, 25))  # the Azure answer's download date; the AWS file carries its own
    with qtbot.waitSignal(dialog.diff_ready, timeout=30_000):
        dialog.preview()
    text = dialog.summary_label.text()
    assert "AWS Price List (EC2, JSON), AWS, 3 priced GPU rows" in text
    assert "Azure Retail Prices API (JSON), Azure, 2 priced GPU rows" in text
    assert dialog.apply_button.isEnabled()
    rows = [dialog.changes.topLevelItem(i) for i in range(dialog.changes.topLevelItemCount())]
    p5 = next(r for r in rows if r.text(1) == "AWS / p5.48xlarge / us-east-1")
    # reserved rates from the offer file: 1-year No Upfront 36.50, 3-year All Upfront 599,184 / 26,280 h
    assert p5.text(4) == "— → $36.5 / — → $22.8"
    assert p5.text(0) == "changed" and p5.text(3) == ""  # the Price List lists no spot: kept
    assert p5.text(5) == "-0.03 %"  # 55.0592 -> 55.04: (55.04 - 55.0592) / 55.0592 = -0.035 %
    with qtbot.waitSignal(dialog.applied, timeout=60_000):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.is_ready, timeout=30_000)
    frankfurt = [
        v for v in page.models["cloud"].values() if (v.provider, v.region) == ("AWS", "eu-central-1")
    ]
    assert ("p5.48xlarge", 64.3968) in [(v.instance, v.on_demand_per_hour) for v in frankfurt]
