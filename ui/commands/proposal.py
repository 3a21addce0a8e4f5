"""`planner identity …`, `planner export …`, `planner verify …`: signing identities, signed PDF proposals and
their verification, headless (no Qt).

Passwords never travel as arguments (they would show in `ps` and shell history): they come from
``--password-file`` or the ``PLANNER_KEY_PASSWORD`` environment variable.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ui.commands._common import CliError, add_json_flag, add_today_flag, emit, today_of
from ui.report.files import ReportError
from ui.report.identity import (
    PASSWORD_ENV,
    create_identity,
    import_identity,
    list_identities,
    load_identity,
    write_certificate_pem,
)

EXIT_NOT_VERIFIED = 1


def register(subparsers: Any) -> None:
    _register_identity(subparsers)
    _register_export(subparsers)
    _register_verify(subparsers)


def _password_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--password-file",
        metavar="FILE",
        help=f"read the identity's password from the first line of FILE (else env {PASSWORD_ENV})",
    )


def _register_identity(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "identity",
        allow_abbrev=False,
        help="create, import or list signing identities (password-protected PKCS#12)",
        description="A signing identity is a private key and an X.509 certificate in a password-protected "
        f"PKCS#12 file. The password comes from --password-file or ${PASSWORD_ENV}, never an argument.",
    )
    sub = p.add_subparsers(dest="identity_command", metavar="ACTION", required=True)
    # allow_abbrev=False everywhere here: "--password SECRET" must not be taken for --password-file
    c = sub.add_parser("create", allow_abbrev=False, help="create a key pair and a self-signed certificate")
    c.add_argument("--name", required=True, help="signer's full name (certificate CN)")
    c.add_argument("--org", default="", help="organisation (certificate O)")
    c.add_argument("--email", required=True, help="signer's email address")
    c.add_argument("--out", default=None, help="PKCS#12 file to write (default: in the user data directory)")
    c.add_argument("--cert-out", default=None, help="also write the public certificate (PEM) here")
    _password_flag(c)
    add_json_flag(c)
    c.set_defaults(func=_identity_create)
    i = sub.add_parser(
        "import", allow_abbrev=False, help="import a .p12/.pfx from your own CA into the user data directory"
    )
    i.add_argument("file", metavar="FILE.p12", help="PKCS#12 file to import")
    _password_flag(i)
    add_json_flag(i)
    i.set_defaults(func=_identity_import)
    s = sub.add_parser(
        "show", allow_abbrev=False, help="show an identity's certificate and optionally export it as PEM"
    )
    s.add_argument("file", metavar="FILE.p12")
    s.add_argument("--cert-out", default=None, help="write the public certificate (PEM) here")
    _password_flag(s)
    add_json_flag(s)
    s.set_defaults(func=_identity_show)
    ls = sub.add_parser("list", help="list identities in the user data directory")
    add_json_flag(ls)
    ls.set_defaults(func=_identity_list)


def _register_export(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export",
        allow_abbrev=False,
        help="write a PDF proposal for a project, signed when --identity is given",
        description="Evaluate PROJECT.json and write the proposal PDF (A4 or US Letter). With --identity the "
        "PDF is signed (PAdES B-B, SHA-256, visible box on the last page); nothing is written if signing fails.",
    )
    p.add_argument("project", metavar="PROJECT.json")
    p.add_argument("--out", required=True, metavar="PROPOSAL.pdf")
    p.add_argument("--identity", default=None, metavar="ID.p12", help="sign with this PKCS#12 identity")
    p.add_argument("--paper", choices=("a4", "letter"), default="a4")
    p.add_argument("--location", default="", help="signing location shown in the signature box")
    p.add_argument(
        "--doc-version",
        default=None,
        help="document version printed on the cover (default: 1 for a project's first proposal, the next "
        "number when the content changed since the last export, the same when it did not)",
    )
    p.add_argument("--samples", type=int, default=2000, help="Monte Carlo samples (default 2000)")
    p.add_argument(
        "--quotes",
        nargs="+",
        type=int,
        default=None,
        metavar="ID",
        help="vendor quotes from the catalog database (ids of `planner quotes list`) compared under the "
        "project's site terms in the proposal's quote section",
    )
    p.add_argument(
        "--crl",
        nargs="+",
        default=(),
        metavar="FILE",
        help="certificate revocation lists (DER or PEM) of the identity's CAs, embedded with the chain so the "
        "signature can be checked offline (PAdES B-LT material)",
    )
    p.add_argument(
        "--xlsx",
        default=None,
        metavar="WORKBOOK.xlsx",
        help="also write the finance team's workbook (cash flows, cost terms, assumptions, FX) of the same analysis",
    )
    add_today_flag(p, "date the proposal, judge price staleness and quote expiry")
    _password_flag(p)
    add_json_flag(p)
    p.set_defaults(func=_export)


def _register_verify(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "verify",
        allow_abbrev=False,
        help="check a signed proposal: integrity, coverage, signer, trust, revocation; --recompute its figures",
        description="Exit 0 only when the signature is intact, covers the entire file, is not revoked and "
        "chains to a certificate given with --trust (--allow-untrusted accepts an untrusted signer); with "
        "--recompute also when the embedded project re-runs to every figure of the embedded analysis (an "
        "unsigned draft then passes on its figures alone). 1 otherwise; 2 for unusable input.",
    )
    p.add_argument("file", metavar="FILE.pdf")
    p.add_argument("--trust", default=None, metavar="CERT.pem", help="certificate(s) to trust as root")
    p.add_argument(
        "--allow-untrusted",
        action="store_true",
        help="exit 0 for an intact signature whose signer is not trusted (still reported as untrusted)",
    )
    p.add_argument(
        "--recompute",
        action="store_true",
        help="re-run the project embedded in the PDF and confirm every figure (or list those that differ)",
    )
    add_json_flag(p)
    p.set_defaults(func=_verify)


# --------------------------------------------------------------------------------------------- actions


def read_password(args: argparse.Namespace) -> str:
    """The password from --password-file (first line) or the environment; a clear error if neither."""
    if getattr(args, "password_file", None):
        path = Path(args.password_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CliError(f"{path}: cannot read the password file ({exc.strerror})") from None
        if not lines or not lines[0]:
            raise CliError(f"{path}: the password file is empty")
        return lines[0]
    value = os.environ.get(PASSWORD_ENV)
    if not value:
        raise CliError(f"no password: give --password-file FILE or set {PASSWORD_ENV}")
    return value


def _identity_create(args: argparse.Namespace) -> int:
    password = read_password(args)
    try:
        path = create_identity(args.name, args.org, args.email, password, args.out)
        identity = load_identity(path, password)
        if args.cert_out:
            write_certificate_pem(identity, args.cert_out)
    except ReportError as exc:
        raise CliError(str(exc)) from None
    emit(args, _identity_json(identity), _identity_human)
    return 0


def _identity_import(args: argparse.Namespace) -> int:
    password = read_password(args)
    try:
        path = import_identity(args.file, password)
        identity = load_identity(path, password)
    except ReportError as exc:
        raise CliError(str(exc)) from None
    emit(args, _identity_json(identity), _identity_human)
    return 0


def _identity_show(args: argparse.Namespace) -> int:
    password = read_password(args)
    try:
        identity = load_identity(args.file, password)
        if args.cert_out:
            write_certificate_pem(identity, args.cert_out)
    except ReportError as exc:
        raise CliError(str(exc)) from None
    emit(args, _identity_json(identity), _identity_human)
    return 0


def _identity_list(args: argparse.Namespace) -> int:
    paths = [str(p) for p in list_identities()]
    emit(args, {"identities": paths}, lambda d: "\n".join(d["identities"]) or "no identities yet")
    return 0


def _identity_json(identity: Any) -> dict[str, Any]:
    cert = identity.certificate
    return {
        "path": str(identity.path),
        "name": identity.name,
        "organisation": identity.organisation,
        "email": identity.email,
        "self_signed": identity.self_signed,
        "valid_from": cert.not_valid_before_utc.isoformat(),
        "valid_until": cert.not_valid_after_utc.isoformat(),
        "certificate_sha256": identity.fingerprint_sha256,
    }


def _identity_human(d: dict[str, Any]) -> str:
    kind = "self-signed" if d["self_signed"] else "CA-issued"
    return (
        f"Identity {d['path']}\n  {d['name']}, {d['organisation'] or '-'} <{d['email']}> ({kind})\n"
        f"  valid {d['valid_from'][:10]} to {d['valid_until'][:10]}\n"
        f"  certificate SHA-256 {d['certificate_sha256']}"
    )


def _export(args: argparse.Namespace) -> int:
    from db.analysis_catalog import DbCatalog
    from ui.report.export import export_proposal, read_project  # heavy imports only for this command

    if args.samples < 0:
        raise CliError("--samples must be 0 or more")
    try:
        project = read_project(args.project)
        identity = load_identity(args.identity, read_password(args)) if args.identity else None
        catalog = DbCatalog()
        quotes = stored_quotes(args.quotes, catalog) if args.quotes else None
        result = export_proposal(
            project,
            args.out,
            identity=identity,
            paper=args.paper,
            location=args.location,
            version=args.doc_version,
            samples=args.samples,
            quotes=quotes,
            today=today_of(args),
            catalog=catalog,
            crls=args.crl,
            xlsx=args.xlsx,
        )
    except ReportError as exc:
        raise CliError(str(exc)) from None
    emit(args, result.to_json(), _export_human)
    return 0


def stored_quotes(ids: list[int], catalog: Any) -> list[Any]:
    """The stored vendor quotes ``ids`` (as `planner quotes list` numbers them); CliError naming a missing id."""
    from db.quotes import list_quotes

    try:
        found = list_quotes(catalog.engine, ids)
    except LookupError as exc:  # KeyError (unknown quote id) is a LookupError too
        raise CliError(f"--quotes: {str(exc).strip(chr(39) + chr(34))}") from None
    missing = sorted(set(ids) - {q.id for q in found})
    if missing:
        raise CliError(
            f"--quotes: no stored quote with id {', '.join(map(str, missing))} (see `planner quotes list`)"
        )
    return found


def _export_human(d: dict[str, Any]) -> str:
    who = f"signed by {d['signer']}" if d["signed"] else "NOT signed"
    return (
        f"Wrote {d['path']} ({d['pages']} pages, {d['size_bytes']:,} bytes), {who}\n"
        f"Document {d['doc_id']}; recommendation: {d['recommendation']}\n"
        f"SHA-256 {d['sha256']}"
    )


def _verify(args: argparse.Namespace) -> int:
    from ui.report.verify import human_report, load_trust_roots, verify_pdf

    try:
        roots = load_trust_roots(args.trust) if args.trust else None
        verification = verify_pdf(args.file, roots)
        recomputed = None
        if args.recompute:
            from ui.report.reproduce import recompute_file

            recomputed = recompute_file(args.file)
    except ReportError as exc:
        raise CliError(str(exc)) from None
    signature_ok = verification.ok or (args.allow_untrusted and verification.integrity_ok)
    if recomputed is not None and not verification.signed:
        signature_ok = True  # an unsigned draft is checked on its figures
    ok = signature_ok and (recomputed is None or recomputed.ok)
    payload = verification.to_json()
    payload["ok"] = ok
    if recomputed is not None:
        payload["recompute"] = recomputed.to_json()

    def human(_d: dict[str, Any]) -> str:
        text = human_report(verification)
        if not verification.trusted and args.allow_untrusted and verification.integrity_ok:
            text += "\nAccepted although untrusted (--allow-untrusted)."
        if recomputed is not None:
            text += "\n" + recomputed.human()
        return text

    emit(args, payload, human)
    return 0 if ok else EXIT_NOT_VERIFIED
