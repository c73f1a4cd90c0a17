"""PAdES signatures on issued reports: ``sign_pdf(pdf) -> bytes``, configured by settings.

The rendered PDF/A-3b is signed as an incremental update: the rendered bytes stay
the first bytes of the signed file, untouched, and a new revision appends the
signature field and the signature (CMS, ETSI.CAdES.detached, SHA-256). The
signature is invisible (a zero-size widget with the print flag, as PDF/A asks):
a visible one would need an appearance stream with an embedded font to stay
PDF/A, and the report already prints who can check it, where, and its
fingerprint and QR code on the cover. pyHanko updates the XMP metadata together
with the document information, so the two stay consistent as PDF/A requires.

With ``REPORT_TSA_URL`` set, the signature carries an RFC 3161 timestamp from
that authority (PAdES-B-T), and the certificates and revocation data needed to
validate it later are embedded in the file's document security store (B-LT).

Settings (see README, Deploy): ``REPORT_SIGNING_P12`` (a PKCS#12 file with the
signing key, its certificate and the chain), ``REPORT_SIGNING_P12_PASSPHRASE``,
``REPORT_TSA_URL`` (optional) and ``REPORT_SIGNING_TRUST_ROOTS`` (optional PEM
files: the CA certificates whose signatures count as ours; by default the
self-signed certificates in the PKCS#12 file, else its signing certificate).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import io
from pathlib import Path

import certifi
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleTrustManager

from assessments.services import WorkflowError

FIELD_NAME = "ReportSignature"


class SigningNotConfigured(WorkflowError):
    """Reports are signed, and no usable signing certificate is configured.

    A workflow error: approving (which issues the report) then says why it cannot,
    and changes nothing.
    """


def is_configured() -> bool:
    return bool(settings.REPORT_SIGNING_P12)


def sign_pdf(pdf: bytes) -> bytes:
    """``pdf`` with a PAdES signature appended as an incremental update."""
    signer = signing_signer()
    tsa_url = settings.REPORT_TSA_URL
    timestamper = HTTPTimeStamper(tsa_url, timeout=settings.REPORT_TSA_TIMEOUT) if tsa_url else None
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Issued conformance report",
        location=settings.SITE_URL,
        embed_validation_info=timestamper is not None,
        # For the validation data embedded with a timestamp: our roots, and the
        # public ones (certifi's bundle) for the timestamp authority's chain.
        validation_context=(
            ValidationContext(trust_roots=trust_roots() + _public_roots(), allow_fetching=True)
            if timestamper is not None
            else None
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    _producer_for_pdf_a(writer)
    out = run_async(signers.async_sign_pdf, writer, meta, signer=signer, timestamper=timestamper)
    return out.getvalue()


def run_async(function, *args, **kwargs):
    """Run pyHanko's coroutine ``function`` to completion from synchronous code.

    pyHanko's synchronous wrappers call ``asyncio.run``, which fails where an event
    loop already runs in this thread (an ASGI server, some task runners, Playwright's
    synchronous API in the browser tests); there the coroutine runs on a thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(function(*args, **kwargs))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(function(*args, **kwargs))).result()


def _producer_for_pdf_a(writer: IncrementalPdfFileWriter) -> None:
    # PDF/A wants the document information and the XMP metadata to agree. pyHanko
    # appends its name to the information's /Producer but writes only its own
    # name into the XMP; naming pyHanko alone in both keeps them equal.
    info_ref = writer.trailer_view.raw_get("/Info")
    if isinstance(info_ref, generic.IndirectObject):
        info_ref.get_object()["/Producer"] = generic.TextStringObject(VENDOR)
        writer.mark_update(info_ref)


def signing_signer() -> signers.SimpleSigner:
    path, passphrase = _configured_p12()
    return _load(str(path), path.stat().st_mtime_ns, passphrase)[0]


def trust_roots() -> list[asn1_x509.Certificate]:
    """The certificates a signature of ours chains to (the verify page's trust anchors)."""
    files = settings.REPORT_SIGNING_TRUST_ROOTS
    if files:
        return [cert for name in files for cert in load_pem_certificates(Path(name))]
    path, passphrase = _configured_p12()
    return list(_load(str(path), path.stat().st_mtime_ns, passphrase)[1])


def validation_context(roots: list[asn1_x509.Certificate]) -> ValidationContext:
    """Offline validation against ``roots``: no fetching, revocation checked if embedded."""
    return ValidationContext(
        trust_manager=SimpleTrustManager.build(trust_roots=roots), allow_fetching=False
    )


def load_pem_certificates(path: Path) -> list[asn1_x509.Certificate]:
    return list(load_certs_from_pemder([str(path)]))


def _configured_p12() -> tuple[Path, str]:
    name = settings.REPORT_SIGNING_P12
    if not name:
        raise SigningNotConfigured(
            "Reports cannot be issued: no signing certificate is configured. Set "
            "REPORT_SIGNING_P12 (a PKCS#12 file) and REPORT_SIGNING_P12_PASSPHRASE; "
            "see README, Deploy. For a local demo run manage.py create_demo_signing_identity."
        )
    path = Path(name)
    if not path.is_file():
        raise SigningNotConfigured(
            f"Reports cannot be issued: the signing certificate file {path} does not exist. "
            "Check REPORT_SIGNING_P12, or for the local demo run "
            "manage.py create_demo_signing_identity."
        )
    return path, settings.REPORT_SIGNING_P12_PASSPHRASE


@functools.lru_cache(maxsize=1)
def _public_roots() -> list[asn1_x509.Certificate]:
    return load_pem_certificates(Path(certifi.where()))


@functools.lru_cache(maxsize=4)
def _load(
    path: str, mtime_ns: int, passphrase: str
) -> tuple[signers.SimpleSigner, tuple[asn1_x509.Certificate, ...]]:
    # Cached per file version: reading and decrypting a PKCS#12 file costs more
    # than the signature itself.
    data = Path(path).read_bytes()
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=passphrase.encode() if passphrase else None
        )
    except (ValueError, TypeError) as exc:
        raise SigningNotConfigured(
            f"Reports cannot be issued: {path} cannot be opened with "
            "REPORT_SIGNING_P12_PASSPHRASE (wrong passphrase or not a PKCS#12 file)."
        ) from exc
    chain = list(signer.cert_registry)
    roots = tuple(c for c in chain if c.subject == c.issuer) or (signer.signing_cert,)
    return signer, roots
