"""Local certificate authorities: the demo signing identity, and certificates for tests.

A real deployment signs with a certificate from its own PKI or a commercial CA
(a PKCS#12 file named by ``REPORT_SIGNING_P12``). For the demo, which must work
offline, ``create_demo_signing_identity`` makes a two-level PKI here:

- a self-signed root CA (the trust anchor an auditor passes to
  ``verify_report --trust``), whose private key is thrown away once it has
  signed the signing certificate: nothing else is ever issued under it;
- a document-signing certificate under it (key usage digitalSignature and
  nonRepudiation, as PAdES validators expect), with its key, in a PKCS#12 file
  that also carries the root, so that the signature embeds the whole chain.

Keys are ECDSA P-256: as strong as RSA-3072, made in milliseconds, and signatures
of 72 bytes; every PAdES validator in use reads them. RSA stays available for
services that need it (pyHanko's test time-stamper is RSA-only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_FILE = "demo-root-ca.pem"
SIGNER_FILE = "demo-signer.pem"
P12_FILE = "demo-signer.p12"

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Issued:
    key: PrivateKey
    cert: x509.Certificate


@dataclass(frozen=True)
class DemoIdentity:
    directory: Path
    root: Path  # PEM: the root CA certificate, the trust anchor
    signer: Path  # PEM: the signing certificate
    p12: Path  # PKCS#12: signing key, signing certificate, root


def new_key(kind: str = "ec") -> PrivateKey:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )


def make_root_ca(*, common_name: str, organization: str, years: int = 20) -> Issued:
    """A self-signed root CA that may sign end-entity certificates only."""
    key = new_key()
    name = _name(common_name, organization)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def issue_certificate(
    ca: Issued,
    *,
    common_name: str,
    organization: str,
    purpose: str = "signing",
    key: PrivateKey | None = None,
    years: int = 5,
) -> Issued:
    """An end-entity certificate under ``ca``: for signing documents or for time-stamping."""
    key = key or new_key()
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organization))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.cert.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=purpose == "signing",
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if purpose == "timestamping":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def pkcs12_bytes(signer: Issued, *, chain: list[x509.Certificate], passphrase: str) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(
        name=b"report-signing",
        key=signer.key,
        cert=signer.cert,
        cas=chain,
        encryption_algorithm=encryption,
    )


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def demo_identity_paths(directory: Path) -> DemoIdentity:
    return DemoIdentity(
        directory, directory / ROOT_FILE, directory / SIGNER_FILE, directory / P12_FILE
    )


def create_demo_identity(*, directory: Path, passphrase: str, organization: str) -> DemoIdentity:
    """Write a fresh demo root CA and signing certificate (PKCS#12) into ``directory``."""
    paths = demo_identity_paths(directory)
    directory.mkdir(parents=True, exist_ok=True)
    root = make_root_ca(common_name=f"{organization} demo root CA", organization=organization)
    signer = issue_certificate(
        root, common_name=f"{organization} report signing (demo)", organization=organization
    )
    paths.root.write_bytes(pem(root.cert))
    paths.signer.write_bytes(pem(signer.cert))
    data = pkcs12_bytes(signer, chain=[root.cert], passphrase=passphrase)
    # The key file is readable by its owner only.
    paths.p12.touch(mode=0o600, exist_ok=True)
    paths.p12.write_bytes(data)
    return paths
