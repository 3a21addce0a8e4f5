"""`planner identity`, `planner export`, `planner verify` end to end, in process, on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.report.conftest import EUR_PROJECT, PASSWORD, SIGNER
from ui.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "saas_fine_tuning.json"


@pytest.fixture
def cli_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("PLANNER_KEY_PASSWORD", PASSWORD)
    p12, pem = tmp_path / "id.p12", tmp_path / "id.pem"
    code = main(
        ["identity", "create", "--name", SIGNER, "--org", "Conseil", "--email", "z@example.com",
         "--out", str(p12), "--cert-out", str(pem)]
    )  # fmt: skip
    assert code == 0 and p12.exists() and pem.exists()
    return p12, pem


def test_password_is_never_an_argument(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for argv in (
        ["identity", "create", "--name", "A", "--email", "a@example.com", "--password", "secret123"],
        ["export", "p.json", "--out", "o.pdf", "--identity", "id.p12", "--password", "secret123"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert "unrecognized arguments: --password" in capsys.readouterr().err
    assert not (tmp_path / "secret123").exists()


def test_missing_password_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PLANNER_KEY_PASSWORD", raising=False)
    code = main(
        ["identity", "create", "--name", "A", "--email", "a@example.com", "--out", str(tmp_path / "a.p12")]
    )
    assert code == 2
    assert "--password-file" in capsys.readouterr().err
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    code = main(
        ["identity", "create", "--name", "A", "--email", "a@example.com", "--out", str(tmp_path / "a.p12"),
         "--password-file", str(pw)]
    )  # fmt: skip
    assert code == 0


def test_export_sign_verify_round_trip(
    cli_identity: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p12, pem = cli_identity
    out = tmp_path / "proposal.pdf"
    capsys.readouterr()
    code = main(
        ["export", str(SAMPLE), "--out", str(out), "--identity", str(p12), "--paper", "letter", "--json"]
    )
    assert code == 0
    info = json.loads(capsys.readouterr().out)
    assert info["signed"] and info["signer"] == SIGNER and len(info["sha256"]) == 64
    assert main(["verify", str(out)]) == 1  # intact but self-signed and no trust given: untrusted
    text = capsys.readouterr().out
    assert "INTACT" in text and SIGNER in text and "signer's own claim" in text and "untrusted" in text
    assert main(["verify", str(out), "--allow-untrusted"]) == 0
    text = capsys.readouterr().out
    assert "Accepted although untrusted" in text and "Revocation: not checked: a self-signed" in text
    assert main(["verify", str(out), "--trust", str(pem), "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["ok"] and verdict["trusted"] and verdict["covers_entire_file"]
    out.write_bytes(out.read_bytes() + b"junk")
    assert main(["verify", str(out), "--trust", str(pem)]) == 1
    assert "added after the last signature" in capsys.readouterr().out.splitlines()[0]


def test_wrong_password_leaves_the_previous_file_untouched(
    cli_identity: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    p12, _ = cli_identity
    out = tmp_path / "proposal.pdf"
    out.write_bytes(b"previous version")
    monkeypatch.setenv("PLANNER_KEY_PASSWORD", "wrong password!")
    code = main(["export", str(EUR_PROJECT), "--out", str(out), "--identity", str(p12)])
    assert code == 2
    assert "wrong password" in capsys.readouterr().err
    assert out.read_bytes() == b"previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["id.p12", "id.pem", "proposal.pdf"]


def test_bad_inputs_give_one_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"name": "x", "horizon_months": 12, "options": [{"kind": "cloud", "name": "c", "rate_unit": "gpu", "rate_per_hour": -1}]}'
    )
    assert main(["export", str(bad), "--out", str(tmp_path / "o.pdf")]) == 2
    err = capsys.readouterr().err
    assert "rate_per_hour" in err and "negative" in err
    assert main(["export", str(EUR_PROJECT), "--out", str(tmp_path / "no" / "o.pdf")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "missing.pdf")]) == 2
    assert "cannot be read" in capsys.readouterr().err
    assert not (tmp_path / "o.pdf").exists()
