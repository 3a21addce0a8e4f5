"""CatalogTableModel with the filter language: shown columns only, terms ANDed across columns, ranges.

Expected rows are worked out by hand from the sample values in catalog_samples (and G2 below).
"""

from __future__ import annotations

import pytest

from tests.ui import catalog_samples as s
from ui.models import CatalogTableModel
from ui.models.filter_query import FilterError

# A Google Cloud L4 row whose (hidden) source page is also about H100s: "h100" must not find it.
G2 = s.sku(
    "g2-standard-4",
    "L4",
    1,
    "instance",
    0.7059,
    provider="Google Cloud",
    region="us-central1",
    spot_per_hour=0.2824,
    source_url="https://cloud.google.com/compute/gpus-pricing#h100-and-l4",
    origin="user",
)
CLOUD = [*s.CLOUD, G2]


def cloud() -> CatalogTableModel:
    model = CatalogTableModel("cloud", CLOUD, gpus=s.GPU_LOOKUP, today=s.TODAY)
    model.set_hidden_columns(i for i, c in enumerate(model.columns) if not c.visible)
    return model


def shown(model: CatalogTableModel, text: str) -> set[object]:
    model.set_filter_text(text)
    return set(model.visible_values())


def test_free_text_ignores_hidden_columns(qapp) -> None:  # type: ignore[no-untyped-def]
    model = cloud()
    assert shown(model, "h100") == {s.P5, s.LAMBDA_H100}
    assert shown(model, "cloud.google") == set()  # only in the hidden source URL
    model.set_hidden_columns(())  # the user shows the Source column: now it is searched too
    assert model.visible_values() == [G2]


def test_terms_are_anded_across_columns_and_a_header_word_means_has_a_value(qapp) -> None:  # type: ignore[no-untyped-def]
    model = cloud()
    # "spot" names the Spot columns: H100 rows that have a spot price (P5 only; Lambda has none).
    assert shown(model, "spot h100") == {s.P5}
    assert shown(model, "spot") == {s.P5, G2}
    assert shown(model, "google l4") == {G2}  # provider in one column, GPU in another


def test_numeric_terms_use_the_figures_before_rounding(qapp) -> None:  # type: ignore[no-untyped-def]
    model = cloud()
    # $/GPU-h by hand: P5 55.04/8 = 6.88, P4D 32.7726/8 = 4.096575, Vertex 2.93, Lambda 2.99, G2 0.7059.
    assert shown(model, "$/gpu-h<3") == {s.VERTEX_A100, s.LAMBDA_H100, G2}
    # P4D's 4.096575 is shown as $4.10 but lies above the range's end.
    assert shown(model, "$/gpu-h:2.93..4.0965") == {s.VERTEX_A100, s.LAMBDA_H100}
    assert shown(model, "gpus=8 -provider=aws") == {s.LAMBDA_H100}
    assert shown(model, "as-of<2026") == {s.P4D}  # 2025-01-15; every other row is 2026-06-01
    gpus = CatalogTableModel("gpus", s.GPUS, gpus=s.GPU_LOOKUP, today=s.TODAY)
    gpus.set_filter_text("mem>=80")
    assert set(gpus.visible_values()) == {s.H100, s.A100}


def test_widening_after_narrowing_finds_every_row_again(qapp) -> None:  # type: ignore[no-untyped-def]
    model = cloud()
    for text in ("g", "go", "goo", "google"):
        model.set_filter_text(text)
    assert set(model.visible_values()) == {s.VERTEX_A100, G2}
    model.set_filter_text("spo")
    assert model.visible_values() == []
    model.set_filter_text("spot")  # a header word: more rows than "spo", not fewer
    assert set(model.visible_values()) == {s.P5, G2}


def test_bad_query_raises_and_keeps_the_rows(qapp) -> None:  # type: ignore[no-untyped-def]
    model = cloud()
    model.set_filter_text("h100")
    with pytest.raises(FilterError, match="unknown column 'foo'; columns are provider, kind, instance"):
        model.set_filter_text("foo:1")
    assert set(model.visible_values()) == {s.P5, s.LAMBDA_H100}
