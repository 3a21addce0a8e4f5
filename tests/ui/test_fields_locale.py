"""Numbers typed in the editor's fields are read the way the user's locale writes them (issue 15):
`12,5` in German is 12.5, `1.234,56` is 1234.56, `1,5` in English is refused in one sentence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtGui import QUndoStack

from ui.editor.document import ProjectDocument
from ui.editor.fields import FieldSpec, FormBinder

pytestmark = pytest.mark.gui


@pytest.fixture
def locale_of() -> Iterator[Any]:
    before = QLocale()

    def use(name: str) -> None:
        QLocale.setDefault(QLocale(name))

    yield use
    QLocale.setDefault(before)


def _binder(qtbot: Any) -> tuple[FormBinder, ProjectDocument]:
    stack = QUndoStack()
    document = ProjectDocument(stack)
    document.load({"electricity_per_kwh": 0.1, "horizon_months": 36})
    binder = FormBinder(
        document,
        [FieldSpec("electricity_per_kwh", "Electricity"), FieldSpec("horizon_months", "Horizon", "int")],
    )
    qtbot.addWidget(binder.widget)
    binder.refresh()
    binder.stack = stack  # type: ignore[attr-defined]  # keep the undo stack alive with the form
    return binder, document


@pytest.mark.parametrize(("typed", "value"), [("12,5", 12.5), ("1.234,56", 1234.56), ("0,13", 0.13)])
def test_german_decimal_comma(qtbot: Any, locale_of: Any, typed: str, value: float) -> None:
    locale_of("de_DE")
    binder, document = _binder(qtbot)
    field = binder.field("electricity_per_kwh")
    field.set_text(typed)
    assert field.error() is None
    assert document.value(("electricity_per_kwh",)) == value


def test_german_field_shows_the_value_with_a_comma(qtbot: Any, locale_of: Any) -> None:
    locale_of("de_DE")
    binder, document = _binder(qtbot)
    binder.field("electricity_per_kwh").set_text("12,5")
    binder.refresh()
    assert binder.field("electricity_per_kwh").text() == "12,5"


def test_english_one_comma_five_is_refused_in_one_sentence(qtbot: Any, locale_of: Any) -> None:
    locale_of("en_US")
    binder, document = _binder(qtbot)
    field = binder.field("electricity_per_kwh")
    field.set_text("1,5")
    message = field.error()
    assert (
        message is not None and "'1,5' is ambiguous" in message and "'1.5'" in message and "'15'" in message
    )
    assert document.value(("electricity_per_kwh",)) == 0.1  # never read as 15
    field.set_text("1.5")
    assert field.error() is None and document.value(("electricity_per_kwh",)) == 1.5


def test_english_thousands_and_whole_numbers(qtbot: Any, locale_of: Any) -> None:
    locale_of("en_US")
    binder, document = _binder(qtbot)
    binder.field("horizon_months").set_text("48")
    assert document.value(("horizon_months",)) == 48
    binder.field("electricity_per_kwh").set_text("1,250.5")
    assert document.value(("electricity_per_kwh",)) == 1250.5
    binder.field("horizon_months").set_text("three years")
    assert binder.field("horizon_months").error() == "must be a whole number (got 'three years')"
