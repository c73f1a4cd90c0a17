"""A local PKI and a local RFC 3161 timestamp service for the signing tests.

Certificates come from ``reports.identity`` (the code the demo command runs); the
timestamp service is pyHanko's ``DummyTimeStamper`` behind ``http.server`` on
127.0.0.1, reached over real HTTP by the same client production uses.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps import DummyTimeStamper

from reports.identity import Issued, issue_certificate, make_root_ca, pem, pkcs12_bytes

PASSPHRASE = "test-signing-passphrase"


@dataclass(frozen=True)
class Identity:
    root_pem: Path
    signer_pem: Path
    p12: Path
    root: Issued
    signer: Issued

    @property
    def root_asn1(self) -> asn1_x509.Certificate:
        return _asn1_cert(self.root)


def make_identity(directory: Path, organization: str) -> Identity:
    directory.mkdir(parents=True, exist_ok=True)
    root = make_root_ca(common_name=f"{organization} root CA", organization=organization)
    signer = issue_certificate(
        root, common_name=f"{organization} signing", organization=organization
    )
    paths = Identity(
        directory / "root.pem", directory / "signer.pem", directory / "signer.p12", root, signer
    )
    paths.root_pem.write_bytes(pem(root.cert))
    paths.signer_pem.write_bytes(pem(signer.cert))
    paths.p12.write_bytes(pkcs12_bytes(signer, chain=[root.cert], passphrase=PASSPHRASE))
    return paths


def _asn1_cert(issued: Issued) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(issued.cert.public_bytes(serialization.Encoding.DER))


class TimestampServer:
    """An RFC 3161 service over HTTP on 127.0.0.1, signing with a certificate under ``ca``."""

    def __init__(self, ca: Issued):
        from reports.identity import new_key

        tsa = issue_certificate(
            ca,
            common_name="Test timestamp authority",
            organization="Tests",
            purpose="timestamping",
            key=new_key("rsa"),  # DummyTimeStamper signs with RSA only
        )
        key_der = tsa.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        stamper = DummyTimeStamper(
            tsa_cert=_asn1_cert(tsa),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
            certs_to_embed=[_asn1_cert(ca)],
        )
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                response = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(response)))
                self.end_headers()
                self.wfile.write(response)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/tsr"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
