"""The skeleton: CLI entry point, main window shell, packaging metadata."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from planner import __version__
from ui.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_version_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"version": __version__}


def test_unknown_command_fails() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code != 0


def test_gui_without_display_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("display detection is Linux-specific")
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    assert main([]) == 3
    err = capsys.readouterr().err
    assert "No display" in err and "planner selftest" in err


def test_headless_commands_do_not_load_qt() -> None:
    code = "import sys, ui.cli; ui.cli.build_parser(); print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_main_window_shell(main_window, artifacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.main_window import NAV_ENTRIES

    assert main_window.windowTitle().startswith("Compute Planner")
    entries = [main_window.nav.item(i).text() for i in range(main_window.nav.count())]
    assert entries == list(NAV_ENTRIES)
    menus = [a.text().replace("&", "") for a in main_window.menuBar().actions()]
    assert menus[:4] == ["File", "Edit", "View", "Help"]
    file_actions = [a.text().replace("&", "") for a in main_window.menuBar().actions()[0].menu().actions()]
    for expected in ("New project", "Open project…", "Save", "Export PDF proposal…", "Quit"):
        assert expected in file_actions
    assert "Data directory" in main_window.about_text()
    main_window.show_page("Quotes")
    assert main_window.stack.currentWidget() is main_window.pages["Quotes"]
    main_window.grab().save(str(artifacts_dir / "main_window.png"))
    assert (artifacts_dir / "main_window.png").stat().st_size > 1000


def test_selftest_command(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    proc = subprocess.run(
        [sys.executable, "-m", "ui.cli", "selftest", "--screenshots", str(shots), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["ok"] is True
    assert len(list(shots.glob("*.png"))) >= 4


@pytest.mark.slow
def test_wheel_ships_packages_and_resources(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(tmp_path.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {
        n.split("/")[0] for n in names if "/" in n and not n.split("/")[0].endswith((".dist-info", ".data"))
    }
    assert tops == {"planner", "db", "ui", "resources"}
    assert any(n.startswith("resources/catalog/") and n.endswith(".csv") for n in names) or not list(
        (ROOT / "resources" / "catalog").glob("*.csv")
    )
    assert not any(n.startswith("tests/") for n in names)


def test_io_errors_become_one_sentence(tmp_path: Path) -> None:
    from ui.cli import _describe_os_error

    assert _describe_os_error(IsADirectoryError(21, "Is a directory", str(tmp_path))) == (
        f"{tmp_path} is a folder, not a file"
    )
    assert _describe_os_error(FileNotFoundError(2, "No such file", "x.json")) == "x.json does not exist"
    try:
        b"\xff\xfe".decode("utf-8")
    except UnicodeDecodeError as exc:
        assert "not UTF-8" in _describe_os_error(exc)


def test_gui_logging_keeps_info_out_of_the_console() -> None:
    """The log file gets INFO (e.g. Alembic upgrades); the console stays at WARNING."""
    import logging

    from ui.app import setup_logging

    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    console = logging.StreamHandler()
    root.handlers = [console]
    root.setLevel(logging.WARNING)
    try:
        path = setup_logging()
        assert console.level == logging.WARNING
        assert root.getEffectiveLevel() == logging.INFO
        assert any(getattr(h, "baseFilename", None) == path for h in root.handlers)
    finally:
        for h in root.handlers:
            if h not in saved_handlers:
                h.close()
        root.handlers, root.level = saved_handlers, saved_level
