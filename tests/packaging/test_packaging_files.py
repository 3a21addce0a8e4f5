"""Packaging inputs that need no build: icons, the .desktop file, the spec's exclusions, the version shown."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import io
import tomllib
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
SPEC = ROOT / "packaging" / "planner.spec"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _render_icons_module():
    spec = importlib.util.spec_from_file_location("render_icons", ROOT / "packaging" / "render_icons.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _spec_literal(name: str) -> object:
    """The literal value assigned to `name` at the top level of packaging/planner.spec."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in {SPEC}")


def test_every_png_size_is_the_current_rendering_of_the_svg(qapp: object, tmp_path: Path) -> None:
    from PIL import Image, ImageChops, ImageStat

    render = _render_icons_module()
    for size in render.PNG_SIZES:
        shipped = ICONS / f"compute-planner-{size}.png"
        fresh = tmp_path / f"{size}.png"
        render.render_png(render.SVG, size, fresh)
        with Image.open(shipped) as a, Image.open(fresh) as b:
            assert a.size == (size, size), shipped
            assert a.mode == "RGBA", f"{shipped} has no alpha channel"
            diff = ImageStat.Stat(ImageChops.difference(a.convert("RGBA"), b.convert("RGBA"))).mean
            # Re-rendering may differ by antialiasing rounding; a stale PNG differs by far more.
            assert max(diff) < 2.0, f"{shipped} is stale: run packaging/render_icons.py ({diff})"


def test_windows_ico_holds_16_to_256() -> None:
    from PIL import Image

    with Image.open(ICONS / "compute-planner.ico") as ico:
        assert ico.format == "ICO"
        assert {16, 24, 32, 48, 64, 128, 256} <= {w for w, _ in ico.info["sizes"]}


def test_macos_icns_holds_16_to_512_at_2x() -> None:
    from PIL import IcnsImagePlugin, Image

    data = (ICONS / "compute-planner.icns").read_bytes()
    assert data[:4] == b"icns"
    with Image.open(io.BytesIO(data)) as icns:
        assert isinstance(icns, IcnsImagePlugin.IcnsImageFile)
        sizes = icns.info["sizes"]
        assert {(16, 16, 2), (128, 128, 1), (256, 256, 2), (512, 512, 1), (512, 512, 2)} <= set(sizes)
        icns.size = (512, 512)
        icns.load(scale=2)  # the Retina 1024 px image decodes
        assert icns.size == (1024, 1024)


def test_desktop_file_names_the_executable_and_an_icon_that_exists() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(ROOT / "packaging" / "compute-planner.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Compute Planner"
    assert entry["Exec"].split()[0] == "planner"
    assert 'executable("planner"' in SPEC.read_text(encoding="utf-8")
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    assert (ICONS / f"{entry['Icon']}.svg").is_file()
    assert (ICONS / f"{entry['Icon']}-256.png").is_file()


def _qt_modules_imported_by_the_app() -> dict[str, str]:
    used: dict[str, str] = {}
    for pkg in ("planner", "db", "ui"):
        for path in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                for name in names:
                    if name.startswith("PySide6.Qt"):
                        used[name.split(".")[1]] = str(path.relative_to(ROOT))
    return used


def test_the_spec_excludes_no_qt_module_the_app_imports() -> None:
    unused = _spec_literal("QT_UNUSED")
    assert isinstance(unused, list), unused
    excluded = set(unused)
    used = _qt_modules_imported_by_the_app()
    clash = {module: where for module, where in used.items() if module in excluded}
    assert not clash, f"packaging/planner.spec excludes Qt modules the app imports: {clash}"
    assert {"QtCore", "QtGui", "QtWidgets"} <= set(used)


def test_cli_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    from ui.cli import main

    assert installed_version(PYPROJECT["name"]) == PYPROJECT["version"], "reinstall: make venv"
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"Compute Planner {PYPROJECT['version']}"


@pytest.mark.gui
def test_about_dialog_shows_the_package_version(main_window: object) -> None:
    text = main_window.about_text()  # type: ignore[attr-defined]
    assert f"Compute Planner {PYPROJECT['version']}" in text


@pytest.mark.gui
def test_application_window_icon_has_every_size(qapp: object) -> None:
    from ui.app import ICON_SIZES, create_application

    app = create_application()
    sizes = {s.width() for s in app.windowIcon().availableSizes()}
    assert set(ICON_SIZES) <= sizes
