"""Digital signatures on exported portfolio PDFs: sign on export, check on the /verify page.

A PAdES baseline B-B signature (ETSI EN 319 142) in an invisible field, made by pyHanko's
``PdfSigner`` as an incremental update after the bytes WeasyPrint wrote. Any PDF reader
that checks signatures shows whether the file changed after signing and who signed it.

Production signs with the provider's certificate, a PKCS#12 file named by the
``SIGNING_PKCS12_PATH`` and ``SIGNING_PKCS12_PASSWORD`` settings. Without one, a
self-signed certificate is made once in the instance folder, for the demo and the tests:
readers then see the document as unchanged but the signer as not trusted until they
trust that certificate themselves (the /verify page offers it for download).
"""

import asyncio
import errno
import logging
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

logger = logging.getLogger(__name__)
# pyHanko logs a warning with a traceback for every certificate it cannot trust. On the
# public /verify page that is an expected answer, which ``validate`` returns, not a fault.
logging.getLogger("pyhanko.sign.validation.generic_cms").setLevel(logging.ERROR)

FIELD_NAME = "Signature"
FIELD_DESCRIPTION = "Digital signature of the training provider"  # the field's /TU
SIGNING_DIR = "signing"
PKCS12_NAME = "portfolio-signing.p12"
PASSWORD_NAME = "password"  # noqa: S105  (the name of the file, not a password)
SELF_SIGNED_CN = "Portfolio document signing (self-signed)"
SELF_SIGNED_O = "Portfolio"
SELF_SIGNED_VALIDITY = timedelta(days=5 * 365 + 1)  # five years, one leap day among them
# id-kp-documentSigning (RFC 9336); cryptography has no name for it.
DOCUMENT_SIGNING_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


class SigningError(RuntimeError):
    """The signing certificate could not be made or loaded."""


@dataclass(frozen=True)
class SignatureCheck:
    """What a reader needs to know about the signature in a PDF.

    ``intact``: the signed bytes are unchanged, and nothing was appended after signing
    but signature upkeep (further signatures, timestamps, validation data).
    ``valid``: the signature was made with the key of the certificate it names, over
    exactly the signed bytes of this file (so a changed file is never valid).
    ``trusted``: intact and valid, and the certificate chains to one of the trust roots
    given and allows non-repudiation. Only ``trusted`` means "show it as genuine".
    """

    intact: bool
    valid: bool
    trusted: bool
    signer: str
    signed_at: datetime | None
    summary: str


# --- the certificate -----------------------------------------------------------------


def ensure_certificate(instance_path: str) -> tuple[Path, bytes]:
    """The self-signed PKCS#12 and its password, made once in ``<instance>/signing``.

    Both files are written into a private temporary folder that is then renamed into
    place, so they appear together or not at all, and of two processes racing here the
    first rename wins and the other uses its files.
    """
    folder = Path(instance_path) / SIGNING_DIR
    p12_path, password_path = folder / PKCS12_NAME, folder / PASSWORD_NAME
    if not (p12_path.exists() and password_path.exists()):
        _create_self_signed(Path(instance_path), folder)
        if not (p12_path.exists() and password_path.exists()):
            raise SigningError(
                f"{folder} exists but lacks {PKCS12_NAME} or {PASSWORD_NAME}: "
                "restore them, or remove the folder to make a new certificate"
            )
    return p12_path, password_path.read_bytes().strip()


def _create_self_signed(instance: Path, folder: Path) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(32).encode()
    p12 = _self_signed_pkcs12(password)
    staging = Path(tempfile.mkdtemp(prefix=".signing-", dir=instance))  # mode 0700
    try:
        for name, data in ((PKCS12_NAME, p12), (PASSWORD_NAME, password)):
            fd = os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        try:
            # Atomic; refused when the folder already exists with files in it.
            os.rename(staging, folder)
        except OSError as e:
            if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
        else:
            logger.info("Made a self-signed document signing certificate in %s", folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _self_signed_pkcs12(password: bytes) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, SELF_SIGNED_CN),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, SELF_SIGNED_O),
        ]
    )
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))  # allow for clocks a little behind
        .not_valid_after(now + SELF_SIGNED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        # documentSigning is the purpose made for this; emailProtection too, because
        # Adobe Acrobat accepts that one for document signatures and may not know the new.
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING_OID, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"portfolio-signing", key, cert, None, serialization.BestAvailableEncryption(password)
    )


# --- signing -------------------------------------------------------------------------


def load_signer(config: Mapping, instance_path: str) -> signers.SimpleSigner:
    """The signer from the configured PKCS#12, else from the self-signed one.

    Loaded signers are kept per file and modification time, so signing does not read and
    decrypt the key each time, and replacing the file takes effect without a restart.
    """
    configured = config.get("SIGNING_PKCS12_PATH")
    if configured:
        path = Path(configured)
        password = _password_bytes(config.get("SIGNING_PKCS12_PASSWORD"))
    else:
        path, password = ensure_certificate(instance_path)
    try:
        stat = path.stat()
    except OSError as e:
        raise SigningError(f"Cannot read the signing certificate {path}: {e}") from e
    return _load_pkcs12(str(path.resolve()), stat.st_mtime_ns, stat.st_size, password)


def _password_bytes(password) -> bytes | None:
    # from_prefixed_env parses values as JSON where it can, so a numeric password arrives
    # as an int; anything else that is not text is taken as written.
    if password is None or password == "":
        return None
    if isinstance(password, bytes):
        return password
    return str(password).encode()


_load_lock = threading.Lock()


class _PreloadedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that parses its private key once rather than on every signature.

    SimpleSigner.sign_raw loads the key from DER each time it signs, twice a document
    (a dry run sizes the signature first), and loading an RSA key runs cryptography's key
    checks, which take longer than the rest of signing (docs/performance.md).
    """

    def __init__(self, loaded: signers.SimpleSigner):
        super().__init__(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )
        self._private_key = serialization.load_der_private_key(
            loaded.signing_key.dump(), password=None
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        # The two mechanisms pyHanko picks for RSA and EC keys by default; anything else
        # (PSS, EdDSA, ...) goes the parent's way.
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        key, hash_algorithm = self._private_key, get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


@lru_cache(maxsize=8)
def _load_pkcs12_cached(path: str, mtime_ns: int, size: int, password: bytes | None):
    try:
        data = Path(path).read_bytes()
        loaded = signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=password)
    except (OSError, ValueError) as e:
        raise SigningError(
            f"Cannot load the signing certificate {path}: not a PKCS#12 file, or the wrong password"
        ) from e
    return _PreloadedKeySigner(loaded)


def _load_pkcs12(path: str, mtime_ns: int, size: int, password: bytes | None):
    with _load_lock:  # one thread decrypts; the others wait for its result
        return _load_pkcs12_cached(path, mtime_ns, size, password)


def pdf_signer(
    signer: signers.Signer, *, reason: str, location: str = "", contact: str = ""
) -> signers.PdfSigner:
    """pyHanko's signer of a portfolio: PAdES B-B in an invisible field on page 1."""
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        contact_info=contact or None,
    )
    field = fields.SigFieldSpec(FIELD_NAME, readable_field_name=FIELD_DESCRIPTION)
    return signers.PdfSigner(metadata, signer=signer, new_field_spec=field)


def sign(writer: IncrementalPdfFileWriter, signature: signers.PdfSigner) -> bytes:
    """The PDF in ``writer`` with its pending changes and the signature, in one incremental
    update after the bytes it was read from, which stay as they were."""
    return _run(lambda: signature.async_sign_pdf(writer)).getvalue()


def sign_pdf(pdf: bytes, signature: signers.PdfSigner) -> bytes:
    """``pdf`` signed, the signature appended as an incremental update."""
    return sign(IncrementalPdfFileWriter(BytesIO(pdf), strict=False), signature)


def _run(make_coroutine):
    """Run one of pyHanko's coroutines from plain code.

    pyHanko's synchronous calls use ``asyncio.run``, which fails in a thread that already
    runs an event loop (an async server, or a test driving a browser); such a thread hands
    the work to a short-lived thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def certificate_pem(config: Mapping, instance_path: str) -> str:
    """The signing certificate in PEM, for readers to download and trust."""
    cert = load_signer(config, instance_path).signing_cert
    return pem.armor("CERTIFICATE", cert.dump()).decode("ascii")


# --- checking ------------------------------------------------------------------------


def validate(pdf: bytes, trust_pem: bytes | str | None = None) -> SignatureCheck:
    """Check the portfolio signature in ``pdf``, trusting only the certificates given.

    ``trust_pem``: one or more PEM certificates (or one DER), e.g. ``certificate_pem()``
    or the provider's CA; with none, nothing is trusted. Nothing is fetched online.
    Never raises for a damaged or unsigned file: the result says what is wrong.
    """
    if isinstance(trust_pem, str):
        trust_pem = trust_pem.encode("ascii", "replace")
    try:
        roots = _certificates(trust_pem) if trust_pem else []
    except Exception as e:  # asn1crypto raises ValueError, and others on odd input
        return _failed(f"The trusted certificate could not be read: {e}")
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as e:  # anything the parser meets in a damaged file
        return _failed(f"The file could not be read as a PDF: {e}")
    if not signatures:
        return _failed("The file has no digital signature.")
    embedded = next((s for s in signatures if s.field_name == FIELD_NAME), signatures[0])
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = _run(lambda: async_validate_pdf_signature(embedded, context))
    except Exception as e:  # a mangled signature dictionary or CMS blob
        return _failed(f"The signature could not be checked: {e}")

    # pyHanko's own "valid" covers the signature over the signed attributes only, which
    # stays true when the document bytes no longer match their signed digest.
    valid = bool(status.valid and status.intact)
    intact = bool(status.intact and status.docmdp_ok)
    trusted = bool(intact and valid and status.bottom_line)
    return SignatureCheck(
        intact=intact,
        valid=valid,
        trusted=trusted,
        signer=_signer_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
        summary=_summary(status, intact, valid, trusted),
    )


def _certificates(data: bytes) -> list[asn1_x509.Certificate]:
    if pem.detect(data):
        ders = [der for kind, _, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"]
    else:
        ders = [data]
    if not ders:
        raise ValueError("no certificate in it")
    certs = [asn1_x509.Certificate.load(der) for der in ders]
    for cert in certs:
        cert.native  # noqa: B018  (parses it all now, so a bad one fails here)
    return certs


def _failed(reason: str) -> SignatureCheck:
    return SignatureCheck(
        intact=False, valid=False, trusted=False, signer="", signed_at=None, summary=reason
    )


def _signer_name(cert: asn1_x509.Certificate) -> str:
    subject = cert.subject.native
    name = subject.get("common_name") or cert.subject.human_friendly
    organisation = subject.get("organization_name")
    if organisation and organisation not in name:
        return f"{name}, {organisation}"
    return name


def _summary(status, intact: bool, valid: bool, trusted: bool) -> str:
    if not status.intact:
        return "The document has been changed since it was signed: the signature does not match."
    if not valid:
        return "The signature is damaged or was not made with the key of the certificate it names."
    if not intact:
        return "The document was changed after it was signed (an update was added to the file)."
    if trusted:
        return "The document is unchanged since it was signed, by a trusted certificate."
    if status.revoked:
        return "The document is unchanged since it was signed, but the certificate was revoked."
    return (
        "The document is unchanged since it was signed, but the signing certificate is not "
        "one of the trusted certificates."
    )
