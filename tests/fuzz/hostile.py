"""Hostile inputs for every file the app reads, and one runner per entry point that classifies the outcome.

Each generator takes a ``random.Random`` and returns the bytes of one file built from a real, valid file
of that format (a shipped sample project, a SPEC, a shipped catalog table, a test quote) with one hostile
change of one class:

``depth`` nesting far past the limit · ``digits`` integers of thousands of digits · ``nonfinite`` NaN,
Infinity, 1e400 · ``huge`` finite values that overflow downstream (1e300) · ``text`` NUL, control and
escape characters, lone surrogates · ``date`` impossible dates · ``many`` enormous lists (options,
workloads, specs, rows) · ``formula`` spreadsheet formulas · ``big`` oversized cells and files ·
``broken`` truncated or damaged files (and, for XLSX, entity-expansion and zip bombs).

A runner returns one of ``accepted`` (a correct result: every number finite), ``refused`` (the product's
own error, one sentence or a list of cell problems), ``traceback`` (anything else escaped), ``hang``
(longer than the time limit) or ``wrong`` (accepted a value it should not have, or a rejected import
changed the database). tests/fuzz/test_fuzz.py asserts only the first two; ``make fuzz`` counts all five.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import random
import signal
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
CATALOG = ROOT / "resources" / "catalog"
QUOTES = ROOT / "tests" / "data" / "quotes"
TIME_LIMIT_S = 20
"""An input that takes longer than this is a hang."""

CLASSES = ("depth", "digits", "nonfinite", "huge", "text", "date", "many", "formula", "big", "broken")
OUTCOMES = ("accepted", "refused", "traceback", "hang", "wrong")

HOSTILE_TEXT = (
    "a\x00b",
    "\x1b[2J\x1b[31mred",
    "\x1b]0;pwned\x07",
    "tab\tok",
    "bell\x07",
    "\x7f",
    "\u0085next line",
    "\ud800",
    "\udfff lone",
    "e\u0301",  # NFC: é
    "\u202eevil",
    "",
    " ",
)
JSON_FRAGMENTS: dict[str, Callable[[random.Random], str]] = {
    "depth": lambda r: (lambda n: "[" * n + "]" * n)(r.choice((40, 200, 1000, 5000, 100_000))),
    "digits": lambda r: ("-" if r.random() < 0.3 else "") + "9" * r.choice((31, 400, 4301, 5000, 20_000)),
    "nonfinite": lambda r: r.choice(
        ("NaN", "Infinity", "-Infinity", "1e400", "-1e999", "[NaN, 1]", "[1, Infinity]")
    ),
    "huge": lambda r: r.choice(
        ("1e300", "-1.7e308", "1e16", "123456789012345678901234567890", "1e15", "9e15")
    ),
    "text": lambda r: json.dumps(r.choice(HOSTILE_TEXT)),
    "date": lambda r: json.dumps(
        r.choice(("2026-02-30", "2026-13-01", "2025-00-10", "9999-99-99", "2026-02-29"))
    ),
    "formula": lambda r: json.dumps(
        r.choice(("=cmd|' /C calc'!A0", '=HYPERLINK("http://x")', "@SUM(1)", "+1+1"))
    ),
    "big": lambda r: json.dumps("x" * r.choice((100_001, 300_000))),
}
_MARK = "__HOSTILE__"


# ---------------------------------------------------------------------------------------------- JSON


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _paths(v, (*prefix, i))


def _set(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    node = tree
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return tree


def _mutate_json(r: random.Random, base: Any, kind: str, lists: tuple[tuple[Any, ...], ...]) -> bytes:
    """``base`` with one hostile change of ``kind``, as file bytes."""
    tree = json.loads(json.dumps(base))
    if kind == "many":
        path = r.choice(lists)
        node = tree
        for step in path:
            node = node[step]
        n = r.choice((61, 201, 1000, 20_000))
        items = node if isinstance(node, list) else [node]
        _set(
            tree,
            path,
            [json.loads(json.dumps(items[i % len(items)])) for i in range(n)] if items else [1] * n,
        )
        if path and path[-1] == "options":  # unique names, so the count is what is refused
            for i, o in enumerate(_get(tree, path)):
                if isinstance(o, dict):
                    o["name"] = f"{o.get('name', 'o')} {i}"
        return json.dumps(tree).encode()
    if kind == "broken":
        text = json.dumps(tree)
        choice = r.randrange(6)
        if choice == 0:
            return text[: r.randrange(len(text))].encode()
        if choice == 1:
            return b"\xff\xfe" + text.encode("utf-16-le")
        if choice == 2:
            return b""
        if choice == 3:
            return json.dumps([tree, tree]).encode() if r.random() < 0.5 else b"42"
        if choice == 4:
            return text.encode()[:-1] + b"\x80}"
        return text.replace(":", "=", 1).encode()
    if kind == "big" and r.random() < 0.1:
        return json.dumps(tree).encode() + b" " * 10_000_001
    path = r.choice([p for p in _paths(tree) if p])
    if kind == "text" and r.random() < 0.3 and isinstance(_get(tree, path[:-1]), dict):
        parent = _get(tree, path[:-1])  # a hostile key
        parent[r.choice(HOSTILE_TEXT) or "\x00"] = parent.pop(path[-1])
        return json.dumps(tree).encode()
    _set(tree, path, _MARK)
    return json.dumps(tree).replace(json.dumps(_MARK), JSON_FRAGMENTS[kind](r)).encode()


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        tree = tree[step]
    return tree


_PROJECTS = [
    json.loads((SAMPLES / n).read_text(encoding="utf-8"))
    for n in ("fraud_detection_hybrid.json", "research_spot.json", "case_study_midsize_research.json")
]


def project_file(r: random.Random, kind: str) -> bytes:
    base = r.choice(_PROJECTS)
    lists: tuple[tuple[str, ...], ...] = tuple(
        p for p in (("options",), ("workloads",), ("monte_carlo",), ("demand",)) if p[0] in base
    ) or (("options",),)
    if kind == "many" and r.random() < 0.3:
        base = json.loads(json.dumps(base))
        base.setdefault("demand", {})["monthly_profile"] = [1.0] * 12
        lists = (("demand", "monthly_profile"),)
    if kind == "nonfinite" and r.random() < 0.4:  # inside a demand profile or a list
        base = json.loads(json.dumps(base))
        base.setdefault("demand", {})["monthly_profile"] = [1.0] * 11 + [_MARK]
        text = json.dumps(base).replace(json.dumps(_MARK), r.choice(("NaN", "Infinity", "1e400", "1e300")))
        return text.encode()
    return _mutate_json(r, base, kind, lists)


_SPEC = {"model": "Llama 3.1 8B", "method": "lora", "seq_len": 4096, "micro_batch": 2, "n_gpus": 8,
         "tokens": 1e9, "gpu": "H100 SXM"}  # fmt: skip
_SPEC_INLINE = {"model": {"params_b": 7, "layers": 32, "hidden": 4096, "heads": 32, "vocab": 32000,
                          "intermediate": 11008}, "method": "full", "seq_len": 2048, "micro_batch": 1, "n_gpus": 4}  # fmt: skip


def spec_file(r: random.Random, kind: str) -> bytes:
    base: Any = r.choice((_SPEC, _SPEC_INLINE))
    if r.random() < 0.3:
        base = [base, _SPEC_INLINE]
    if kind == "many":
        return json.dumps(
            [base if isinstance(base, dict) else base[0]] * r.choice((101, 1000, 5000))
        ).encode()
    return _mutate_json(r, base, kind, ((),))


# ----------------------------------------------------------------------------------------- CSV / XLSX


def _table(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [row for row in csv.reader(fh)]


_CATALOG_TABLES = {name: _table(CATALOG / f"{name}.csv") for name in ("gpus", "cloud", "models", "servers")}
_QUOTE_TABLES = [_table(QUOTES / n) for n in ("northwind_usd.csv", "albion_gbp.csv")]

CELL_VALUES: dict[str, Callable[[random.Random], Any]] = {
    "depth": lambda r: "[" * 5000,
    "digits": lambda r: "9" * r.choice((31, 4301, 5000)),
    "nonfinite": lambda r: r.choice(("nan", "NaN", "inf", "-Infinity", "1e400", float("nan"), float("inf"))),
    "huge": lambda r: r.choice(("1e300", "1.7e308", 1e300, "99999999999999999999")),
    "text": lambda r: r.choice(HOSTILE_TEXT),
    "date": lambda r: r.choice(("2026-02-30", "2026-13-01", "31/02/2026", "0000-01-01", "2026-02-29")),
    "formula": lambda r: r.choice(
        ("=cmd|' /C calc'!A0", '=HYPERLINK("http://evil/","click")', "@SUM(A1)", "+1+2", "-2+3")
    ),
    "big": lambda r: "x" * r.choice((100_001, 131_073, 400_000)),
}


_MANY: dict[tuple[int, int, int, int], list[list[Any]]] = {}


def _hostile_rows(
    r: random.Random, rows: list[list[Any]], kind: str, most_rows: int, xlsx: bool
) -> list[list[Any]]:
    rows = [list(row) for row in rows]
    if kind == "many":
        body = rows[1:] or [rows[0]]
        big = (
            (most_rows + 1,) if not xlsx else ()
        )  # one past the limit (a workbook that size is slow to build)
        n = r.choice((500, 2000, *big)) if r.random() < 0.5 else 0
        width = 0 if n else r.choice((201, 2000))
        key = (id(rows[0]), len(rows), n, width)
        if key not in _MANY:  # the same few big tables again and again: build each once
            if n:
                _MANY[key] = [rows[0]] + [list(body[i % len(body)]) for i in range(n)]
            else:
                _MANY[key] = [row + [f"c{i}" for i in range(width)] for row in rows]
        return _MANY[key]
    for _ in range(r.choice((1, 1, 2, 5))):
        i = r.randrange(1, len(rows)) if len(rows) > 1 else 0
        j = r.randrange(len(rows[i]))
        rows[i][j] = CELL_VALUES[kind](r)
    return rows


_CSV: dict[int, bytes] = {}


def _csv_bytes(rows: list[list[Any]]) -> bytes:
    cached = _CSV.get(id(rows))
    if cached is not None:
        return cached
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode("utf-8", "surrogatepass")
    if any(rows is v for v in _MANY.values()):  # a big table built once: keep its bytes too
        _CSV[id(rows)] = data
    return data


def _xlsx_bytes(rows: list[list[Any]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append([_xlsx_value(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_value(v: Any) -> Any:
    if isinstance(v, str):
        try:
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

            v.encode("utf-8")
            return ILLEGAL_CHARACTERS_RE.sub(
                "", v
            )  # openpyxl refuses to write them; the XML hack below adds them
        except UnicodeEncodeError:
            return "surrogate"
    return v


def _rewrite_part(data: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, edit(body) if info.filename == part else body)
    return buf.getvalue()


_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)


def _broken_xlsx(r: random.Random, data: bytes) -> bytes:
    choice = r.randrange(6)
    if choice == 0:  # billion laughs in the sheet
        return _rewrite_part(
            data,
            "xl/worksheets/sheet1.xml",
            lambda b: _BOMB + _body(b).replace(b"<v>", b"<v>&lol9;", 1),
        )
    if choice == 1:  # external entity
        return _rewrite_part(
            data,
            "xl/sharedStrings.xml" if r.random() < 0.5 else "xl/worksheets/sheet1.xml",
            lambda b: (
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                + _body(b).replace(b"<v>", b"<v>&e;", 1).replace(b"<t>", b"<t>&e;", 1)
            ),
        )
    if choice == 2:  # truncated
        return data[: r.randrange(len(data))]
    if choice == 3:  # a control character and a 5,000-digit number written straight into the XML
        return _rewrite_part(
            data,
            "xl/worksheets/sheet1.xml",
            lambda b: b.replace(b"<v>", b"<v>" + b"9" * 5000, 1),
        )
    if choice == 4:  # damaged XML
        return _rewrite_part(data, "xl/worksheets/sheet1.xml", lambda b: b[: len(b) // 2])
    return _zip_bomb()


def _body(xml: bytes) -> bytes:
    """An XML part without its declaration."""
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


_ZIP_BOMB: bytes | None = None


def _zip_bomb() -> bytes:
    """A valid-looking workbook whose sheet unpacks to 300 MB (built once, about 0.3 MB)."""
    global _ZIP_BOMB
    if _ZIP_BOMB is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            with z.open("xl/worksheets/sheet1.xml", "w") as fh:
                chunk = b" " * (1 << 20)
                for _ in range(300):
                    fh.write(chunk)
        _ZIP_BOMB = buf.getvalue()
    return _ZIP_BOMB


def table_file(r: random.Random, kind: str, rows: list[list[str]], xlsx: bool, most_rows: int) -> bytes:
    if kind == "broken":
        if xlsx:
            return _broken_xlsx(r, _xlsx_bytes(rows))
        text = _csv_bytes(rows)
        return r.choice(
            (text[: r.randrange(len(text))], b"\xff\xfe\x00\x01" + text, b"", b'"unterminated,' + text)
        )
    if kind == "text" and xlsx and r.random() < 0.5:  # control characters openpyxl cannot write: into the XML
        data = _xlsx_bytes(rows)
        return _rewrite_part(data, "xl/sharedStrings.xml", lambda b: b.replace(b"<t>", b"<t>\x01\x1b[31m", 1))
    hostile = _hostile_rows(r, rows, kind, most_rows, xlsx)
    return _xlsx_bytes(hostile) if xlsx else _csv_bytes(hostile)


def catalog_file(r: random.Random, kind: str) -> tuple[bytes, str]:
    name = r.choice(sorted(_CATALOG_TABLES))
    xlsx = r.random() < 0.4
    return table_file(r, kind, _CATALOG_TABLES[name], xlsx, 100_000), ".xlsx" if xlsx else ".csv"


def quote_file(r: random.Random, kind: str) -> tuple[bytes, str]:
    xlsx = r.random() < 0.4
    return table_file(r, kind, r.choice(_QUOTE_TABLES), xlsx, 20_000), ".xlsx" if xlsx else ".csv"


# --------------------------------------------------------------------------------------------- runners


class Hang(Exception):
    """The input ran past TIME_LIMIT_S."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def _alarm(signum: int, frame: Any) -> None:
        raise Hang

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def all_finite(value: Any) -> bool:
    """Every float in a JSON-like result is finite."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(all_finite(v) for v in value)
    return True


def one_sentence(message: str) -> bool:
    return "Traceback" not in message and bool(message.strip())


def run_project(path: Path, samples: int = 50) -> tuple[str, str]:
    from planner.analysis import analyse
    from planner.project import ProjectError, load_project
    from tests.dates import TODAY

    try:
        with time_limit(TIME_LIMIT_S):
            project = load_project(path)
            analysis = analyse(project, today=TODAY, samples=samples, seed=1)
            payload = analysis.to_json()
    except ProjectError as exc:
        return ("refused" if one_sentence(str(exc)) else "wrong"), str(exc)
    except Hang:
        return "hang", ""
    except Exception as exc:  # noqa: BLE001 - the class being counted
        return "traceback", f"{type(exc).__name__}: {exc}"[:300]
    return ("accepted" if all_finite(payload) else "wrong"), ""


def run_spec(path: Path, catalog: Any) -> tuple[str, str]:
    from ui.commands._common import CliError
    from ui.commands.estimate import _evaluate, _load

    try:
        with time_limit(TIME_LIMIT_S):
            data = _load(str(path))
            items = data if isinstance(data, list) else [data]
            results = [_evaluate(raw, f"item {i}", catalog).to_json() for i, raw in enumerate(items)]
    except CliError as exc:
        return ("refused" if one_sentence(str(exc)) else "wrong"), str(exc)
    except Hang:
        return "hang", ""
    except Exception as exc:  # noqa: BLE001
        return "traceback", f"{type(exc).__name__}: {exc}"[:300]
    return ("accepted" if all_finite(results) else "wrong"), ""


def catalog_state(engine: Any) -> list[Any]:
    from db.io import table_values

    return [table_values(engine, t) for t in ("gpus", "servers", "cloud", "models", "fx")]


def run_catalog_import(path: Path, engine: Any) -> tuple[str, str]:
    from db.io import CatalogImportError, import_file

    before = catalog_state(engine)
    try:
        with time_limit(TIME_LIMIT_S):
            report = import_file(engine, path, replace_shipped=True)
    except CatalogImportError as exc:
        if catalog_state(engine) != before:
            return "wrong", "a rejected import changed the database"
        return "refused", str(exc)
    except Hang:
        return "hang", ""
    except Exception as exc:  # noqa: BLE001
        return "traceback", f"{type(exc).__name__}: {exc}"[:300]
    after = catalog_state(engine)
    stored = json.dumps(after, default=str)
    if "\x00" in stored or "\x1b" in stored:
        return "wrong", "a control character was stored"
    return "accepted", report.summary()


def quote_state(engine: Any) -> int:
    from sqlalchemy import func, select

    from db.quote_tables import QuoteLineRow, QuoteRow

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(QuoteRow)).scalar_one()) * 100_000 + int(
            conn.execute(select(func.count()).select_from(QuoteLineRow)).scalar_one()
        )


def run_quote_import(path: Path, engine: Any) -> tuple[str, str]:
    from db.quotes import QuoteImportError, import_quote
    from tests.dates import TODAY

    before = quote_state(engine)
    try:
        with time_limit(TIME_LIMIT_S):
            result = import_quote(engine, path, vendor="Fuzz Vendor", today=TODAY, replace_existing=True)
    except QuoteImportError as exc:
        if quote_state(engine) != before:
            return "wrong", "a rejected import changed the database"
        return "refused", str(exc)
    except Hang:
        return "hang", ""
    except Exception as exc:  # noqa: BLE001
        return "traceback", f"{type(exc).__name__}: {exc}"[:300]
    return "accepted", str(result)[:200]
