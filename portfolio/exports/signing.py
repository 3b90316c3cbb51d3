"""Digital signatures on exported portfolio PDFs: sign on export, check on the /verify page.

A PAdES baseline B-B signature (ETSI EN 319 142) in an invisible field. Its room is made
while WeasyPrint writes the PDF (``SignatureSpace``, a finisher): the signature dictionary
with a blank byte range, signing time and contents, its field, and the form that lists the
field. Signing then only hashes the file, has pyHanko make the CMS signature, and fills
those blanks in place, without reading the PDF back: pyHanko's reader takes about a third
of a second to parse the cross-reference entries of a 100-item portfolio, whose 29,000
objects are mostly its tags for screen readers. Any PDF reader that checks signatures
shows whether the file changed after signing and who signed it.

Production signs with the provider's certificate, a PKCS#12 file named by the
``SIGNING_PKCS12_PATH`` and ``SIGNING_PKCS12_PASSWORD`` settings. Without one, a
self-signed certificate is made once in the instance folder, for the demo and the tests:
readers then see the document as unchanged but the signer as not trusted until they
trust that certificate themselves (the /verify page offers it for download).
"""

import asyncio
import errno
import hashlib
import logging
import os
import secrets
import shutil
import tempfile
import threading
import weakref
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import pydyf
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

logger = logging.getLogger(__name__)
# pyHanko logs a warning with a traceback for every certificate it cannot trust. On the
# public /verify page that is an expected answer, which ``validate`` returns, not a fault.
logging.getLogger("pyhanko.sign.validation.generic_cms").setLevel(logging.ERROR)

FIELD_NAME = "Signature"
SIGNING_DIR = "signing"
PKCS12_NAME = "portfolio-signing.p12"
PASSWORD_NAME = "password"  # noqa: S105  (the name of the file, not a password)  # noqa: S105  (a file name, not a password)
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

    SimpleSigner.sign_raw loads the key from DER each time it signs; loading an RSA key
    runs cryptography's key checks, about 80 ms, several times the rest of a signature.
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
        # (PSS, EdDSA, ...) goes the parent's way, correct if slower.
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algorithm = mechanism["algorithm"].native
        key = self._private_key
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if algorithm == f"{digest_algorithm}_rsa" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if algorithm == f"{digest_algorithm}_ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
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


BYTE_RANGE_BLANK = b"[0 ********** ********** **********]"
SIGNED_AT_BLANK = "D:00000000000000Z"  # as long as a UTC time in PDF date form


class UncompressedDictionary(pydyf.Dictionary):
    """A dictionary written as an object of its own, outside WeasyPrint's object stream."""

    compressible = False


@dataclass(frozen=True)
class SignatureSlot:
    """Where the blanks of a reserved signature are in the written PDF (byte offsets)."""

    byte_range: int  # the "[" of the blank /ByteRange array
    signed_at: int  # the "(" of the blank /M date
    contents: int  # the "<" of the blank /Contents string
    contents_end: int  # just after its ">"


class SignatureSpace:
    """A WeasyPrint finisher that writes an unsigned signature into the PDF, to sign later.

    ``size``: hexadecimal digits kept for the CMS signature (see ``space_needed``). The
    dictionary is written outside the object stream, so that its blanks lie in the file
    where ``slot`` finds them; the invisible widget that is its field goes on page 1.
    """

    def __init__(self, size: int, *, reason: str, location: str = "", contact: str = ""):
        self.size = size
        self.details = {"Reason": reason, "Location": location, "ContactInfo": contact}
        self.dictionary: UncompressedDictionary | None = None

    def __call__(self, document, pdf: pydyf.PDF) -> None:
        dictionary = UncompressedDictionary(
            {
                # The blanks first, before any text that could resemble them.
                "ByteRange": BYTE_RANGE_BLANK,
                "Contents": b"<" + b"0" * self.size + b">",
                "M": pydyf.String(SIGNED_AT_BLANK),
                "Type": "/Sig",
                "Filter": "/Adobe.PPKLite",
                "SubFilter": fields.SigSeedSubFilter.PADES.value,
            }
        )
        dictionary.update({k: pydyf.String(v) for k, v in self.details.items() if v})
        pdf.add_object(dictionary)
        page = pdf.page_references[0]
        widget = pydyf.Dictionary(
            {
                "FT": "/Sig",
                "T": pydyf.String(FIELD_NAME),
                "TU": pydyf.String("Digital signature of the training provider"),
                "Type": "/Annot",
                "Subtype": "/Widget",
                "F": 132,  # printed, locked; a zero rectangle makes it invisible
                "Rect": pydyf.Array([0, 0, 0, 0]),
                "P": page,
                "V": dictionary.reference,
            }
        )
        pdf.add_object(widget)
        page_dictionary = pdf.objects[int(page.split()[0])]
        page_dictionary.setdefault("Annots", pydyf.Array()).append(widget.reference)
        form = pdf.catalog.setdefault("AcroForm", pydyf.Dictionary({"Fields": pydyf.Array()}))
        form["Fields"].append(widget.reference)
        form["SigFlags"] = 3  # signatures exist; append only
        # PAdES's developer extension, as pyHanko declares it.
        pdf.catalog["Extensions"] = pydyf.Dictionary(
            {
                "ESIC": pydyf.Dictionary(
                    {"Type": "/DeveloperExtensions", "BaseVersion": "/1.7", "ExtensionLevel": 1}
                )
            }
        )
        self.dictionary = dictionary

    def slot(self, pdf: bytes) -> SignatureSlot:
        """Where the blanks are in ``pdf``, the bytes WeasyPrint wrote with this finisher."""
        if self.dictionary is None:
            raise ValueError("The PDF was not written with this signature space.")
        written = self.dictionary.indirect
        at = self.dictionary.offset
        if pdf[at : at + len(written)] != written:
            raise ValueError("The signature dictionary is not where the PDF writer put it.")
        contents = at + written.index(b"/Contents <") + len(b"/Contents ")
        return SignatureSlot(
            byte_range=at + written.index(BYTE_RANGE_BLANK),
            signed_at=at + written.index(b"(" + SIGNED_AT_BLANK.encode()),
            contents=contents,
            contents_end=contents + self.size + 2,
        )


_space_needed: "weakref.WeakKeyDictionary[signers.Signer, int]" = weakref.WeakKeyDictionary()


def space_needed(signer: signers.Signer) -> int:
    """Hexadecimal digits to keep for this signer's signatures: a dry run's size and half again.

    Worked out once per signer (pyHanko does it for every document). The half is pyHanko's
    margin too; an RSA or ECDSA signature of the same key varies by a few bytes at most.
    """
    size = _space_needed.get(signer)
    if size is None:
        attributes = PdfCMSSignedAttributes(signing_time=datetime.now(UTC))
        dry_run = _run(
            lambda: signer.async_sign(
                hashlib.sha256().digest(), "sha256", dry_run=True, use_pades=True,
                signed_attr_settings=attributes,
            )
        )  # fmt: skip
        digits = len(dry_run.dump()) * 2
        size = _space_needed[signer] = digits + 2 * (digits // 4)
    return size


def sign_pdf(pdf: bytes, slot: SignatureSlot, signer: signers.Signer) -> bytes:
    """``pdf`` with its reserved signature filled in: a PAdES B-B signature over the whole file.

    The byte range covers every byte but the signature's own contents, including any
    incremental update appended after WeasyPrint wrote the file (attached PDFs laid in).
    """
    data = bytearray(pdf)
    start, end = slot.contents, slot.contents_end
    blanks = (
        (slot.byte_range, BYTE_RANGE_BLANK),
        (slot.signed_at + 1, SIGNED_AT_BLANK.encode()),
        (start, b"<0"),
        (end - 2, b"0>"),
    )
    if end > len(data) or any(data[at : at + len(blank)] != blank for at, blank in blanks):
        raise ValueError("The PDF has no blank signature at the place given: nothing was signed.")
    byte_range = b"[0 %d %d %d]" % (start, end, len(data) - end)
    data[slot.byte_range : slot.byte_range + len(BYTE_RANGE_BLANK)] = byte_range.ljust(
        len(BYTE_RANGE_BLANK)
    )
    now = datetime.now(UTC).replace(microsecond=0)
    signed_at = now.strftime("D:%Y%m%d%H%M%SZ").encode()
    data[slot.signed_at + 1 : slot.signed_at + 1 + len(signed_at)] = signed_at
    view = memoryview(data)
    hashed = hashlib.sha256(view[:start])
    hashed.update(view[end:])
    view.release()
    digest = hashed.digest()
    attributes = PdfCMSSignedAttributes(signing_time=now)
    signature = _run(
        lambda: signer.async_sign(digest, "sha256", use_pades=True, signed_attr_settings=attributes)
    )
    output = BytesIO(data)
    PreparedByteRangeDigest(digest, start, end).fill_with_cms(output, signature)
    return output.getvalue()


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
