"""A CA-issued identity (root → intermediate → signer, made with openssl here) signs with its chain and the
CAs' CRLs in the document security store of the signed revision (PAdES B-LT material, offline); poppler's
pdfsig, pyHanko's validator and `planner verify` agree on integrity, coverage, trust and revocation."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel

from planner.project import load_project
from tests.report.conftest import EUR_PROJECT
from ui.cli import main
from ui.report.export import export_proposal
from ui.report.identity import Identity, load_identity
from ui.report.verify import verify_pdf

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None or shutil.which("pdfsig") is None, reason="openssl and poppler needed"
)
P12_PASSWORD = "chain-of-trust"

CA_CONF = """[ca]
default_ca=CA_default
[CA_default]
database={db}/index.txt
crlnumber={db}/crlnumber
default_md=sha256
default_crl_days=30
"""


def _ssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_chain(d: Path, *, revoke_signer: bool = False) -> dict[str, Path]:
    """root (self-signed CA) → intermediate CA → signer, a PKCS#12 with the chain, one CRL per CA."""
    _ssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-days",
        "3650",
        "-subj",
        "/CN=Test Root CA/O=Test Trust",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        cwd=d,
    )
    (d / "int.ext").write_text(
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
    )
    _ssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "int.key",
        "-out",
        "int.csr",
        "-subj",
        "/CN=Test Intermediate CA/O=Test Trust",
        cwd=d,
    )
    _ssl(
        "x509",
        "-req",
        "-in",
        "int.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-out",
        "int.pem",
        "-days",
        "1825",
        "-extfile",
        "int.ext",
        cwd=d,
    )
    (d / "signer.ext").write_text(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n"
    )
    _ssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "signer.key",
        "-out",
        "signer.csr",
        "-subj",
        "/CN=Ingrid Signer/O=Beratung AG/emailAddress=ingrid@example.com",
        cwd=d,
    )
    _ssl(
        "x509",
        "-req",
        "-in",
        "signer.csr",
        "-CA",
        "int.pem",
        "-CAkey",
        "int.key",
        "-CAcreateserial",
        "-out",
        "signer.pem",
        "-days",
        "365",
        "-extfile",
        "signer.ext",
        cwd=d,
    )
    for ca in ("root", "int"):
        db = d / f"db_{ca}"
        db.mkdir()
        (db / "index.txt").write_text("")
        (db / "crlnumber").write_text("01\n")
        (d / f"{ca}.cnf").write_text(CA_CONF.format(db=db))
    if revoke_signer:
        _ssl(
            "ca",
            "-config",
            "int.cnf",
            "-keyfile",
            "int.key",
            "-cert",
            "int.pem",
            "-revoke",
            "signer.pem",
            cwd=d,
        )
    for ca in ("root", "int"):
        _ssl(
            "ca",
            "-gencrl",
            "-config",
            f"{ca}.cnf",
            "-keyfile",
            f"{ca}.key",
            "-cert",
            f"{ca}.pem",
            "-out",
            f"{ca}.crl.pem",
            cwd=d,
        )
        _ssl("crl", "-in", f"{ca}.crl.pem", "-outform", "DER", "-out", f"{ca}.crl", cwd=d)
    (d / "chain.pem").write_bytes((d / "int.pem").read_bytes() + (d / "root.pem").read_bytes())
    _ssl(
        "pkcs12",
        "-export",
        "-inkey",
        "signer.key",
        "-in",
        "signer.pem",
        "-certfile",
        "chain.pem",
        "-out",
        "signer.p12",
        "-passout",
        f"pass:{P12_PASSWORD}",
        "-keypbe",
        "AES-256-CBC",
        "-certpbe",
        "AES-256-CBC",
        "-macalg",
        "sha256",
        cwd=d,
    )
    return {
        n: d / f
        for n, f in [
            ("p12", "signer.p12"),
            ("root", "root.pem"),
            ("root_crl", "root.crl"),
            ("int_crl", "int.crl.pem"),
        ]
    }


def _sign(tmp_path: Path, files: dict[str, Path], name: str = "ca.pdf") -> Path:
    ident = load_identity(files["p12"], P12_PASSWORD)
    assert len(ident.chain) == 2
    out = tmp_path / name
    export_proposal(
        load_project(EUR_PROJECT),
        out,
        identity=ident,
        samples=100,
        crls=[files["root_crl"], files["int_crl"]],
    )
    return out


def _nss_trusting(root: Path, d: Path) -> Path | None:
    if shutil.which("certutil") is None:
        return None
    db = d / "nss"
    db.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{db}", "-n", "test-root", "-t", "CT,C,C", "-i", str(root)],
        check=True,
        capture_output=True,
    )
    return db


def test_ca_signed_at_b_lt_and_the_three_validators_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = make_chain(tmp_path)
    pdf = _sign(tmp_path, files)
    data = pdf.read_bytes()
    # ours
    capsys.readouterr()
    assert main(["verify", str(pdf), "--trust", str(files["root"]), "--json"]) == 0
    v = json.loads(capsys.readouterr().out)
    assert v["intact"] and v["covers_entire_file"] and v["trusted"] and v["revocation_checked"]
    assert not v["revoked"] and "Test Root CA" in v["trust_anchor"] and v["signer"] == "Ingrid Signer"
    assert "2 CRL(s)" in v["validation_data"]
    # pyHanko, from the document security store, revocation data required for every certificate
    reader = PdfFileReader(io.BytesIO(data))
    sig = reader.embedded_signatures[-1]
    root = asn1_x509.Certificate.load(pem.unarmor(files["root"].read_bytes())[2])
    ctx = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {"trust_roots": [root], "allow_fetching": False, "revocation_mode": "require"}
    )
    status = validate_pdf_signature(sig, ctx)
    assert status.bottom_line and status.trusted and not status.revoked
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    # poppler
    plain = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in plain and "Total document signed" in plain
    assert "isn't Trusted" in plain  # poppler trusts nothing it was not told to: as we without --trust
    assert main(["verify", str(pdf)]) == 1
    assert "untrusted" in capsys.readouterr().out
    nss = _nss_trusting(files["root"], tmp_path)
    if nss is not None:
        trusted = subprocess.run(
            ["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True
        ).stdout
        assert "Certificate is Trusted." in trusted, trusted
    # the document says what level, and prints the fingerprint
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "PAdES B-LT" in text
    fp = v["certificate_sha256"].upper()
    assert " ".join(fp[i : i + 4] for i in range(0, 64, 4)) in " ".join(text.split())
    assert "pdfsig" in text and "Acrobat" in text


def test_a_revoked_signer_is_reported_revoked(tmp_path: Path) -> None:
    files = make_chain(tmp_path, revoke_signer=True)
    pdf = _sign(tmp_path, files)
    v = verify_pdf(pdf, [asn1_x509.Certificate.load(pem.unarmor(files["root"].read_bytes())[2])])
    assert v.intact and v.revocation_checked and v.revoked and not v.ok
    assert "REVOKED" in v.revocation


def test_a_crl_without_a_ca_identity_or_a_bad_crl_file_is_refused(tmp_path: Path, identity: Identity) -> None:
    from ui.report.files import ReportError

    files = make_chain(tmp_path)
    with pytest.raises(ReportError, match="CA-issued identity"):
        export_proposal(
            load_project(EUR_PROJECT),
            tmp_path / "x.pdf",
            identity=identity,
            samples=0,
            crls=[files["int_crl"]],
        )
    bad = tmp_path / "bad.crl"
    bad.write_bytes(b"not a crl")
    with pytest.raises(ReportError, match="bad.crl: not a PEM or DER certificate revocation list"):
        export_proposal(load_project(EUR_PROJECT), tmp_path / "x.pdf", samples=0, crls=[bad])
    assert not (tmp_path / "x.pdf").exists()
