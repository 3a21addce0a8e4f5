"""CatalogTableModel: Qt model contract, filtering, sorting, derived unit costs, stale marking."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from tests.ui import catalog_samples as s
from ui.models import RAW_ROLE, STALE_BACKGROUND, STALE_ROLE, TABLES, CatalogTableModel


def make(table: str) -> CatalogTableModel:
    return CatalogTableModel(table, s.ALL[table], gpus=s.GPU_LOOKUP, today=s.TODAY)


def cell(model: CatalogTableModel, value: object, key: str) -> object:
    return model.raw(model.row_of(value), model.column_index(key))


@pytest.mark.parametrize("table", TABLES)
def test_model_contract(qtmodeltester, table: str) -> None:  # type: ignore[no-untyped-def]
    # Qt's own QAbstractItemModelTester (C++). pytest-qt's pure-Python tester (force_py=True) passes
    # every check here too, but intermittently aborts the interpreter at exit under PySide6 6.12
    # ("bool_dealloc" refcount error); the cause was not isolated.
    model = make(table)
    qtmodeltester.check(model, force_py=False)
    model.set_filter_text("a")
    model.sort(1, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=False)


def test_unknown_table_is_refused(qapp) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown catalog table 'gpu'"):
        CatalogTableModel("gpu")


def test_cloud_unit_costs_respect_rate_unit(qapp) -> None:  # type: ignore[no-untyped-def]
    model = make("cloud")
    # p5.48xlarge: an instance rate for 8 H100s (80 GB, 989 dense BF16 TFLOPS each).
    assert cell(model, s.P5, "usd_per_gpu_hour") == pytest.approx(55.04 / 8)
    assert cell(model, s.P5, "usd_per_instance_hour") == pytest.approx(55.04)
    assert cell(model, s.P5, "spot_usd_per_gpu_hour") == pytest.approx(30.0 / 8)
    assert cell(model, s.P5, "usd_per_gb_hour") == pytest.approx(55.04 / 8 / 80)
    assert cell(model, s.P5, "usd_per_pflop_hour") == pytest.approx(55.04 / 8 / 0.989)
    # Lambda quotes per GPU-hour: the GPU rate is the figure itself, the instance costs 8 times it.
    assert cell(model, s.LAMBDA_H100, "usd_per_gpu_hour") == pytest.approx(2.99)
    assert cell(model, s.LAMBDA_H100, "usd_per_instance_hour") == pytest.approx(2.99 * 8)
    assert cell(model, s.LAMBDA_H100, "usd_per_pflop_hour") == pytest.approx(2.99 / 0.989)
    assert cell(model, s.VERTEX_A100, "usd_per_gb_hour") == pytest.approx(2.93 / 80)
    # No spot price: blank, not zero.
    assert cell(model, s.VERTEX_A100, "spot_usd_per_gpu_hour") is None
    row = model.row_of(s.P5)
    assert model.display(row, model.column_index("usd_per_gpu_hour")) == "$6.88"


def test_gpu_and_server_unit_costs(qapp) -> None:  # type: ignore[no-untyped-def]
    gpus = make("gpus")
    assert cell(gpus, s.H100, "usd_per_gb") == pytest.approx((25000 + 40000) / 2 / 80)
    assert cell(gpus, s.H100, "usd_per_tflops") == pytest.approx((25000 + 40000) / 2 / 989)
    assert cell(gpus, s.A100, "usd_per_gb") == pytest.approx(15000 / 80)  # only the low price known
    assert cell(gpus, s.L4, "usd_per_gb") is None  # no price: no unit cost
    servers = make("servers")
    assert cell(servers, s.DGX_H100, "usd_per_gb") == pytest.approx(300000 / (8 * 80))
    assert cell(servers, s.DGX_H100, "usd_per_tflops") == pytest.approx(300000 / (8 * 989))
    assert cell(servers, s.MYSTERY_SERVER, "usd_per_gb") is None  # GPU not in the catalog


def test_filter_matches_every_term_in_any_column(qapp) -> None:  # type: ignore[no-untyped-def]
    model = make("cloud")
    counts: list[tuple[int, int]] = []
    model.filter_applied.connect(lambda shown, total: counts.append((shown, total)))
    model.set_filter_text("H100")
    assert model.visible_values() == [s.P5, s.LAMBDA_H100]
    model.set_filter_text("h100 lambda")
    assert model.visible_values() == [s.LAMBDA_H100]
    model.set_filter_text("GOOGLE")
    assert model.visible_values() == [s.VERTEX_A100]
    model.set_filter_text("no-such-thing")
    assert model.rowCount() == 0
    model.set_filter_text("  ")
    assert model.rowCount() == 4
    assert counts == [(2, 4), (1, 4), (1, 4), (0, 4), (4, 4)]


def test_narrowing_then_widening_the_filter(qapp) -> None:  # type: ignore[no-untyped-def]
    model = make("cloud")
    for prefix in ("a", "a1", "a10"):
        model.set_filter_text(prefix)
    assert set(model.visible_values()) == {s.P4D, s.VERTEX_A100}
    model.set_filter_text("a")  # widening must go back to every row, not the narrowed subset
    expected = [v for v in s.CLOUD if "a" in " ".join(str(x) for x in vars(v).values()).lower()]
    assert model.visible_values() == expected


def test_stale_keyword_finds_stale_rows(qapp) -> None:  # type: ignore[no-untyped-def]
    model = make("cloud")
    model.set_filter_text("stale")
    assert model.visible_values() == [s.P4D]


def test_numeric_sort_and_blanks_last(qapp) -> None:  # type: ignore[no-untyped-def]
    model = make("cloud")
    col = model.column_index("usd_per_gpu_hour")
    model.sort(col, Qt.SortOrder.AscendingOrder)
    rates = [model.raw(r, col) for r in range(model.rowCount())]
    assert rates == sorted(rates)
    assert model.visible_values()[0] == s.VERTEX_A100  # 2.93 < 2.99 < 4.10 < 6.88: numeric, not text
    model.sort(col, Qt.SortOrder.DescendingOrder)
    assert model.visible_values()[0] == s.P5
    spot = model.column_index("spot_usd_per_gpu_hour")
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        model.sort(spot, order)
        assert model.visible_values()[0] == s.P5
        assert all(model.raw(r, spot) is None for r in range(1, 4))


def test_text_sort_is_case_insensitive_and_keeps_filter(qapp) -> None:  # type: ignore[no-untyped-def]
    model = make("cloud")
    model.set_filter_text("h100")
    model.sort(model.column_index("provider"), Qt.SortOrder.DescendingOrder)
    assert model.visible_values() == [s.LAMBDA_H100, s.P5]
    model.set_filter_text("")
    providers = [v.provider.lower() for v in model.visible_values()]
    assert providers == sorted(providers, reverse=True)


def test_sort_keeps_persistent_indexes_on_their_row(qapp) -> None:  # type: ignore[no-untyped-def]
    model = make("cloud")
    persistent = QPersistentModelIndex(model.index(model.row_of(s.VERTEX_A100), 2))
    model.sort(model.column_index("on_demand_per_hour"), Qt.SortOrder.DescendingOrder)
    assert model.value_at(persistent.row()) == s.VERTEX_A100
    assert persistent.column() == 2


def test_stale_rows_are_tinted_marked_and_explained(qapp) -> None:  # type: ignore[no-untyped-def]
    model = make("cloud")
    stale_row, fresh_row = model.row_of(s.P4D), model.row_of(s.P5)
    stale_col = model.column_index("stale")
    assert model.data(model.index(stale_row, 0), STALE_ROLE) is True
    assert model.data(model.index(stale_row, 3), Qt.ItemDataRole.BackgroundRole).color() == STALE_BACKGROUND
    assert model.data(model.index(stale_row, stale_col)) == "stale"
    assert model.data(model.index(stale_row, stale_col), Qt.ItemDataRole.DecorationRole) is not None
    assert model.data(model.index(fresh_row, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(fresh_row, stale_col)) == ""
    tip = model.data(model.index(stale_row, 0), Qt.ItemDataRole.ToolTipRole)
    assert "https://example.com/p4d.24xlarge" in tip
    assert s.OLD.isoformat() in tip and "Stale" in tip


def test_model_architectures_never_go_stale(qapp) -> None:  # type: ignore[no-untyped-def]
    model = make("models")
    assert not model.is_stale_row(model.row_of(s.LLAMA_8B))


def test_raw_role_and_header_tooltips_state_formulas(qapp) -> None:  # type: ignore[no-untyped-def]
    model = make("cloud")
    col = model.column_index("usd_per_pflop_hour")
    assert model.data(model.index(0, model.column_index("gpu_count")), RAW_ROLE) == s.CLOUD[0].gpu_count
    tip = model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Derived:") and "1000" in tip


def test_set_values_replaces_rows_and_lookup(qapp) -> None:  # type: ignore[no-untyped-def]
    model = CatalogTableModel("servers", s.SERVERS, today=s.TODAY)
    assert cell(model, s.DGX_H100, "usd_per_gb") is None  # no GPU lookup yet
    model.set_values(s.SERVERS, gpus=s.GPU_LOOKUP)
    assert cell(model, s.DGX_H100, "usd_per_gb") == pytest.approx(300000 / 640)


def test_rows_prepared_off_thread_match_rows_prepared_in_the_model(qapp) -> None:  # type: ignore[no-untyped-def]
    from ui.models.prepared import prepare_rows

    prepared = prepare_rows("cloud", s.CLOUD, s.TODAY)
    assert prepared.stale == [False, True, False, False]  # only p4d is older than 12 months
    model = CatalogTableModel("cloud", today=s.TODAY)
    model.set_values(prepared, gpus=s.GPU_LOOKUP)
    model.set_filter_text("stale")
    assert model.visible_values() == [s.P4D]
