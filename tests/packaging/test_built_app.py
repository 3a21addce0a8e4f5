"""Smoke test of the frozen app in dist/ (`make package`, then `make package-test`).

Everything runs the built executable, never the source tree: `--version`, `selftest` with screenshots,
and - once those commands exist - `identity create`, `export` of a shipped sample project to a signed PDF
and `verify`. All of it in a sandbox: empty HOME, XDG dirs and TMPDIR, a fresh PLANNER_DATA_DIR and,
where the kernel allows it, a network namespace with no network at all.

In `make test` these tests run only when a build exists and is newer than the sources (else they skip,
saying why); `packaging/smoke_test.sh` sets PLANNER_REQUIRE_BUILD=1 so a missing build fails instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
APP_DIR = Path(os.environ.get("PLANNER_BUILD_DIR", ROOT / "dist" / PROJECT["name"]))
EXE = APP_DIR / ("planner.exe" if sys.platform == "win32" else "planner")
# Where PyInstaller puts data and libraries inside the one-folder build.
INTERNAL = APP_DIR / "_internal"
SOURCE_PACKAGES = ("planner", "db", "ui", "resources")
# stderr lines that mean a module, Qt plugin, library or resource is missing from the build.
MISSING = re.compile(
    r"ModuleNotFoundError|ImportError|No module named|Traceback \(most recent call last\)"
    r"|Could not (?:load|find) the Qt platform plugin|Cannot load library|qt\.qpa\.plugin"
    r"|FileNotFoundError|No such file or directory|failed to load|not found in the bundle",
    re.IGNORECASE,
)
KEY_PASSWORD = "smoke-test-passphrase-1"
TIMEOUT_S = 180


def _require_build() -> None:
    required = os.environ.get("PLANNER_REQUIRE_BUILD") == "1"
    if not EXE.is_file():
        if required:
            pytest.fail(f"no built app at {EXE}: run `make package` first")
        pytest.skip(f"no built app at {EXE} (make package && make package-test)")
    if not required:
        newest = max(
            p.stat().st_mtime for pkg in SOURCE_PACKAGES for p in (ROOT / pkg).rglob("*") if p.is_file()
        )
        if EXE.stat().st_mtime < newest:
            pytest.skip("the build in dist/ predates the sources: make package && make package-test")


def _network_isolation() -> list[str]:
    """A command prefix that runs the app without any network, if this kernel lets us make one."""
    unshare = shutil.which("unshare")
    if not unshare or not sys.platform.startswith("linux"):
        return []
    for prefix in ([unshare, "-n"], [unshare, "-rn"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return []


def _listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under root with its size and mtime in ns: a write shows up as a change."""
    if not root.exists():
        return {}
    out = {}
    for path in root.rglob("*"):
        st = path.lstat()
        out[str(path.relative_to(root))] = (st.st_size if path.is_file() else -1, st.st_mtime_ns)
    return out


@dataclass
class Run:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    def explain(self) -> str:
        return f"$ planner {' '.join(self.argv)}\nexit {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@dataclass
class Session:
    sandbox: Path
    data: Path
    outside: dict[str, Path]
    network_prefix: list[str]
    runs: dict[str, Run] = field(default_factory=dict)
    help_text: str = ""
    app_before: dict[str, tuple[int, int]] = field(default_factory=dict)
    app_after: dict[str, tuple[int, int]] = field(default_factory=dict)
    outside_before: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    outside_after: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    sample: Path | None = None

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTHON", "PLANNER_", "VIRTUAL_ENV", "QT_", "XDG_", "LD_"))
        }
        home = self.outside["home"]
        env.update(
            HOME=str(home),
            USERPROFILE=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_CACHE_HOME=str(home / ".cache"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            XDG_STATE_HOME=str(home / ".local" / "state"),
            XDG_RUNTIME_DIR=str(self.sandbox / "runtime"),
            TMPDIR=str(self.outside["tmp"]),
            QT_QPA_PLATFORM="offscreen",
            PLANNER_DATA_DIR=str(self.data),
            PLANNER_KEY_PASSWORD=KEY_PASSWORD,
        )
        return env

    def run(self, key: str, *argv: str) -> Run:
        proc = subprocess.run(
            [*self.network_prefix, str(EXE), *argv],
            cwd=self.outside["cwd"],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        result = Run(list(argv), proc.returncode, proc.stdout, proc.stderr)
        self.runs[key] = result
        return result

    def has_commands(self, *names: str) -> bool:
        listed = set(re.findall(r"^\s{4}(\w[\w-]*)\s", self.help_text, re.MULTILINE))
        return all(name in listed for name in names)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """Run the built app once through every smoke step; the tests below check what happened."""
    _require_build()
    sandbox = tmp_path_factory.mktemp("frozen")
    outside = {name: sandbox / name for name in ("home", "tmp", "cwd")}
    for path in [*outside.values(), sandbox / "runtime", sandbox / "out"]:
        path.mkdir()
    (sandbox / "runtime").chmod(0o700)
    s = Session(sandbox=sandbox, data=sandbox / "data", outside=outside, network_prefix=_network_isolation())
    s.app_before = _listing(APP_DIR)
    s.outside_before = {name: _listing(path) for name, path in outside.items()}

    s.run("version", "--version")
    s.run("version_json", "version", "--json")
    s.help_text = s.run("help", "--help").stdout
    s.run("selftest", "selftest", "--screenshots", str(sandbox / "out" / "screens"), "--json")
    samples = sorted((INTERNAL / "resources" / "samples").glob("*.json"))
    s.sample = samples[0] if samples else None
    if s.sample and s.has_commands("identity", "export", "verify"):
        identity = s.data / "smoke-identity.p12"
        pdf = sandbox / "out" / "proposal.pdf"
        s.run(
            "identity",
            "identity", "create", "--name", "Smoke Test", "--org", "Compute Planner CI",
            "--email", "smoke@example.org", "--out", str(identity),
        )  # fmt: skip
        s.run("export", "export", str(s.sample), "--out", str(pdf), "--identity", str(identity))
        # the smoke identity is self-signed: intact but untrusted, so verify is asked to accept that
        s.run("verify", "verify", str(pdf), "--json", "--allow-untrusted")

    s.app_after = _listing(APP_DIR)
    s.outside_after = {name: _listing(path) for name, path in outside.items()}
    return s


def _ok(run: Run) -> None:
    assert run.returncode == 0, run.explain()
    missing = [line for line in run.stderr.splitlines() if MISSING.search(line)]
    assert not missing, "the build lacks something:\n" + "\n".join(missing) + "\n\n" + run.explain()


def test_version_matches_the_package(session: Session) -> None:
    _ok(session.runs["version"])
    assert session.runs["version"].stdout.strip() == f"Compute Planner {PROJECT['version']}"
    # `planner version` and the About dialog both read planner.__version__ (importlib.metadata): without
    # the bundled dist-info it would say 0.0.0+source.
    _ok(session.runs["version_json"])
    assert json.loads(session.runs["version_json"].stdout) == {"version": PROJECT["version"]}


def test_selftest_opens_every_view_and_saves_screenshots(session: Session) -> None:
    run = session.runs["selftest"]
    _ok(run)
    result = json.loads(run.stdout)
    assert result["ok"] is True, result["failures"]
    assert result["screenshots"], "selftest saved no screenshot"
    for shot in map(Path, result["screenshots"]):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot
        assert shot.stat().st_size > 5_000, f"{shot} is suspiciously small: a blank window?"


def test_first_start_creates_the_catalog_database_in_the_data_dir(session: Session) -> None:
    databases = list(session.data.glob("*.sqlite3"))
    assert databases, (
        f"no catalog database in {session.data}: {sorted(p.name for p in session.data.iterdir())}"
    )
    import sqlite3

    with sqlite3.connect(databases[0]) as conn:
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type='table'")}
    assert "alembic_version" in tables, f"migrations did not run: tables {sorted(tables)}"
    assert len(tables) > 1


def test_signed_pdf_export_and_verification(session: Session) -> None:
    if session.sample is None:
        pytest.skip("no sample project in resources/samples/ yet")
    if not session.has_commands("identity", "export", "verify"):
        pytest.skip("this build has no identity/export/verify commands yet")
    for key in ("identity", "export", "verify"):
        _ok(session.runs[key])
    pdf = session.sandbox / "out" / "proposal.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    verdict = json.loads(session.runs["verify"].stdout)
    text = json.dumps(verdict).lower()
    assert "smoke test" in text, f"signer name not reported: {verdict}"
    assert verdict["intact"] and verdict["covers_entire_file"] and not verdict["trusted"]


def test_the_app_writes_nothing_outside_its_data_dir(session: Session) -> None:
    changed = sorted(
        name
        for name in set(session.app_before) | set(session.app_after)
        if session.app_before.get(name) != session.app_after.get(name)
    )
    assert not changed, f"the app wrote into its own install folder {APP_DIR}: {changed[:20]}"
    for place, before in session.outside_before.items():
        after = session.outside_after[place]
        written = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
        assert not written, f"the app wrote outside PLANNER_DATA_DIR, in {place}: {written[:20]}"


def test_runs_without_network(session: Session) -> None:
    if not session.network_prefix:
        pytest.skip("this machine cannot create a network namespace (unshare -n)")
    # Every command above ran inside the namespace; reaching here with them passing is the proof.
    assert all(run.returncode == 0 for run in session.runs.values()), [
        r.explain() for r in session.runs.values() if r.returncode
    ]


def test_every_app_module_is_frozen_into_the_executable() -> None:
    """Modules imported by name (commands, pages, selftest) are invisible to PyInstaller's analysis."""
    _require_build()
    from PyInstaller.archive.readers import CArchiveReader

    frozen = set(CArchiveReader(str(EXE)).open_embedded_archive("PYZ.pyz").toc)
    expected = set()
    for pkg in SOURCE_PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            if "migrations" in rel.parts:
                continue  # shipped as files for Alembic, checked below
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            expected.add(".".join(parts))
    assert not expected - frozen, f"missing from the build: {sorted(expected - frozen)}"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("folder", ["resources", "db/migrations"])
def test_bundled_data_matches_the_source_tree(folder: str) -> None:
    """Catalog CSVs, fonts, icons, samples and every Alembic script ship unchanged."""
    _require_build()
    source_root = ROOT / folder
    if not source_root.is_dir():
        pytest.skip(f"{folder} does not exist yet")
    include_py = folder == "db/migrations"

    def wanted(p: Path) -> bool:
        return (
            p.is_file()
            and "__pycache__" not in p.parts
            and p.suffix != ".pyc"
            and (include_py or p.suffix != ".py")
        )

    source = {str(p.relative_to(source_root)): _digest(p) for p in source_root.rglob("*") if wanted(p)}
    bundled_root = INTERNAL / folder
    bundled = {str(p.relative_to(bundled_root)): _digest(p) for p in bundled_root.rglob("*") if wanted(p)}
    assert source, f"nothing to ship in {folder}?"
    assert bundled == source
