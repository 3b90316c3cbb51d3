"""Signing exported PDFs: pyHanko and poppler's pdfsig agree on intact and tampered files."""

import os
import shutil
import stat
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
import weasyprint
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import PdfSigner, SimpleSigner

from portfolio.exports import pdf as pdf_module
from portfolio.exports import signing

PDFSIG_VALID = "Signature Validation: Signature is Valid."
PDFSIG_TAMPERED = "Signature Validation: Digest Mismatch."


HTML = "<html lang='en'><title>Test</title><h1>Test</h1><p>Hello</p></html>"


@pytest.fixture(scope="module")
def pdf() -> bytes:
    """A PDF with no signature and no room for one. Tagged, as the real exports are."""
    return weasyprint.HTML(string=HTML).write_pdf(pdf_variant="pdf/ua-1")


@pytest.fixture
def instance(tmp_path) -> str:
    return str(tmp_path / "instance")


def signature(config: dict, instance: str, **details) -> PdfSigner:
    details.setdefault("reason", "Signed-off portfolio")
    return signing.pdf_signer(signing.load_signer(config, instance), **details)


def render(config: dict, instance: str, **details) -> bytes:
    """A PDF made and signed as the exports are."""
    return pdf_module.render(HTML, {}, {}, signature(config, instance, **details)).pdf


def sign(config: dict, instance: str) -> bytes:
    return render(config, instance, location="Leeds", contact="ict@example.ac.uk")


def pdfsig(tmp_path: Path, data: bytes) -> str:
    assert shutil.which("pdfsig"), "pdfsig is missing: apt-get install poppler-utils"
    path = tmp_path / "checked.pdf"
    path.write_bytes(data)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    return result.stdout


def make_certificate(
    common_name: str, key, issuer: x509.Certificate | None = None, issuer_key=None, ca=False
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(issuer_key or key, hashes.SHA256())
    )


def pem_of(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def provider_pkcs12(tmp_path):
    """A production-like PKCS#12: an ECDSA key, its certificate and the issuing CA."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = make_certificate("Test Awarding CA", ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_certificate("Northfield College", key, issuer=ca, issuer_key=ca_key)
    password = b"correct horse battery staple"
    path = tmp_path / "provider.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"provider", key, cert, [ca], serialization.BestAvailableEncryption(password)
        )
    )
    return path, password, cert, ca


# --- signing and checking --------------------------------------------------------------


def test_signed_pdf_is_intact_valid_and_trusted_with_its_certificate(pdf, instance):
    signed = signing.sign_pdf(
        pdf, signature({}, instance, location="Leeds", contact="ict@example.ac.uk")
    )

    # An incremental update: the bytes WeasyPrint wrote, tags and all, stay as they were.
    assert signed.startswith(pdf) and signed.count(b"%%EOF") == 2
    reader = PdfFileReader(BytesIO(signed))
    assert "/StructTreeRoot" in reader.root and "/MarkInfo" in reader.root
    assert reader.root["/AcroForm"]["/SigFlags"] == 3
    (embedded,) = reader.embedded_signatures
    assert embedded.field_name == "Signature"
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert embedded.sig_object["/Reason"] == "Signed-off portfolio"
    assert embedded.sig_object["/Location"] == "Leeds"
    assert embedded.sig_object["/ContactInfo"] == "ict@example.ac.uk"
    start, length, end, rest = embedded.sig_object["/ByteRange"]
    assert start == 0 and length < end and end + rest == len(signed)  # all but the signature
    assert signed[length : length + 1] == b"<" and signed[end - 1 : end] == b">"
    widget = embedded.sig_field
    assert [float(x) for x in widget["/Rect"]] == [0, 0, 0, 0]  # invisible
    assert widget["/TU"] == "Digital signature of the training provider"
    assert widget.raw_get("/P") == reader.root["/Pages"]["/Kids"].raw_get(0)  # on page 1
    assert any(a.get_object() is widget for a in reader.root["/Pages"]["/Kids"][0]["/Annots"])

    trust = signing.certificate_pem({}, instance).encode()
    check = signing.validate(signed, trust)
    assert check.intact and check.valid and check.trusted
    assert check.signer == "Portfolio document signing (self-signed)"  # O is within the CN
    assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert "unchanged" in check.summary and "trusted" in check.summary


def test_text_in_the_signature_dictionary_is_written_as_pdf_strings(instance):
    reason = "Zoë O'Brien (née Smith) \\ unit 3) /ByteRange [0 ********** ********** **********]"
    signed = render({}, instance, reason=reason, location="Café (Leeds)")
    (embedded,) = PdfFileReader(BytesIO(signed)).embedded_signatures
    assert embedded.sig_object["/Reason"] == reason
    assert embedded.sig_object["/Location"] == "Café (Leeds)"
    assert signing.validate(signed, signing.certificate_pem({}, instance)).trusted


def test_a_title_with_characters_xml_cannot_hold_is_signed(instance):
    # The title goes into the PDF's XMP metadata too, which pyHanko reads to update it.
    html = "<html lang='en'><title>Sam\x07 Patel\x1b</title><p>Hello</p></html>"
    signed = pdf_module.render(html, {}, {}, signature({}, instance)).pdf
    assert signing.validate(signed, signing.certificate_pem({}, instance)).trusted
    assert PdfFileReader(BytesIO(signed)).trailer["/Info"]["/Title"] == "Sam Patel"


def test_without_a_trust_root_the_signature_is_intact_but_not_trusted(instance):
    check = signing.validate(sign({}, instance))
    assert check.intact and check.valid and not check.trusted
    assert "not one of the trusted certificates" in check.summary
    # The PEM text, as certificate_pem() returns it, will do as well as bytes.
    assert signing.validate(sign({}, instance), signing.certificate_pem({}, instance)).trusted


def test_pdfsig_reports_the_signature_valid(instance, tmp_path):
    output = pdfsig(tmp_path, sign({}, instance))
    assert PDFSIG_VALID in output
    assert "Signature Type: ETSI.CAdES.detached" in output
    assert "Total document signed" in output
    # The self-signed certificate is in no trust store, so pdfsig adds
    # "Certificate Validation: Certificate issuer is unknown." That is expected: the
    # signature check above is about the bytes, not about who is trusted.


def first_content_stream(pdf: bytes) -> int:
    start = pdf.index(b"stream\n") + len(b"stream\n")
    return start + 10


def information_dictionary(pdf: bytes) -> int:
    # The document information, written last of all objects: after the signature's contents.
    return pdf.rindex(b"/Title (Test)") + len(b"/Title (T")


@pytest.mark.parametrize("where", [first_content_stream, information_dictionary])
def test_changing_one_signed_byte_is_detected(instance, tmp_path, where):
    signed = sign({}, instance)
    offset = where(signed)
    _, end1, start2, _ = PdfFileReader(BytesIO(signed)).embedded_signatures[0].sig_object[
        "/ByteRange"
    ]
    assert offset < end1 or offset >= start2  # a signed byte, not the signature's contents
    tampered = bytearray(signed)
    tampered[offset] ^= 0x01

    check = signing.validate(bytes(tampered), signing.certificate_pem({}, instance).encode())
    assert not check.intact and not check.valid and not check.trusted
    assert "changed since it was signed" in check.summary

    output = pdfsig(tmp_path, bytes(tampered))
    assert PDFSIG_TAMPERED in output
    assert PDFSIG_VALID not in output


def test_an_update_appended_after_signing_is_not_intact(instance, tmp_path):
    signed = sign({}, instance)
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    forged = generic.StreamObject(stream_data=b"0 0 1 rg 10 10 100 100 re f")
    writer.add_stream_to_page(0, writer.add_object(forged))
    out = BytesIO()
    writer.write(out)
    modified = out.getvalue()

    check = signing.validate(modified, signing.certificate_pem({}, instance).encode())
    assert not check.intact and check.valid and not check.trusted
    assert "changed after it was signed" in check.summary
    # pdfsig checks the signed bytes, which are unchanged, but says they are not all.
    output = pdfsig(tmp_path, modified)
    assert PDFSIG_VALID in output
    assert "Total document signed" not in output


def test_a_signature_is_not_trusted_against_another_certificate(tmp_path):
    signed = sign({}, str(tmp_path / "one"))
    other = signing.certificate_pem({}, str(tmp_path / "two")).encode()
    check = signing.validate(signed, other)
    assert check.intact and check.valid and not check.trusted


def test_damaged_or_unsigned_files_are_reported_not_raised(pdf, instance):
    signed = signing.sign_pdf(pdf, signature({}, instance))
    trust = signing.certificate_pem({}, instance).encode()
    damaged = (b"", b"not a pdf at all", pdf, signed[: len(signed) // 2], signed[:-700])
    for data in damaged:
        check = signing.validate(data, trust)
        assert not (check.intact or check.valid or check.trusted), data[-40:]
        assert check.summary
    assert signing.validate(pdf).summary == "The file has no digital signature."
    unreadable = signing.validate(signed, b"-----BEGIN CERTIFICATE-----\nnonsense\n")
    assert not unreadable.trusted and "trusted certificate could not be read" in unreadable.summary


# --- the certificate --------------------------------------------------------------------


def test_the_generated_certificate_is_made_once_and_kept_private(instance):
    path, password = signing.ensure_certificate(instance)
    folder = Path(instance) / "signing"
    assert path == folder / "portfolio-signing.p12"
    assert (folder / "password").read_bytes() == password and len(password) >= 32
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}

    assert signing.ensure_certificate(instance) == (path, password)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before
    for p in (path, folder / "password"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(os.listdir(instance)) == ["signing"]  # no staging folder left behind

    key, cert, _ = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Portfolio document signing (self-signed)"
    )
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Portfolio"
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=5 * 365) < lifetime < timedelta(days=5 * 366)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36") in purposes  # documentSigning
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in purposes

    # The loaded signer is kept, not decrypted again for every document.
    assert signing.load_signer({}, instance) is signing.load_signer({}, instance)


def test_processes_racing_to_make_the_certificate_keep_one(instance):
    barrier = threading.Barrier(4)
    results = []

    def make():
        barrier.wait()
        results.append(signing.ensure_certificate(instance))

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len(set(results)) == 1
    path, password = results[0]
    pkcs12.load_key_and_certificates(path.read_bytes(), password)  # the pair matches
    assert sorted(os.listdir(instance)) == ["signing"]


def test_a_configured_pkcs12_is_used_instead(instance, tmp_path, provider_pkcs12):
    path, password, cert, ca = provider_pkcs12
    config = {"SIGNING_PKCS12_PATH": str(path), "SIGNING_PKCS12_PASSWORD": password.decode()}

    signed = sign(config, instance)
    assert not (Path(instance) / "signing").exists()  # no self-signed certificate made
    assert signing.certificate_pem(config, instance).encode() == pem_of(cert)

    check = signing.validate(signed, pem_of(ca))  # trusting the issuer is enough
    assert check.intact and check.valid and check.trusted
    assert check.signer == "Northfield College"
    assert not signing.validate(signed, signing.certificate_pem({}, instance).encode()).trusted


def test_a_numeric_password_from_the_environment_works(instance, tmp_path):
    # from_prefixed_env turns PORTFOLIO_SIGNING_PKCS12_PASSWORD=123456 into the int 123456.
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_certificate("Numeric", key)
    path = tmp_path / "numeric.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            None, key, cert, None, serialization.BestAvailableEncryption(b"123456")
        )
    )
    config = {"SIGNING_PKCS12_PATH": str(path), "SIGNING_PKCS12_PASSWORD": 123456}
    assert signing.validate(sign(config, instance), pem_of(cert)).trusted


def test_a_wrong_password_or_missing_file_says_so(instance, tmp_path, provider_pkcs12):
    path = provider_pkcs12[0]
    with pytest.raises(signing.SigningError, match="wrong password"):
        signing.load_signer(
            {"SIGNING_PKCS12_PATH": str(path), "SIGNING_PKCS12_PASSWORD": "wrong"}, instance
        )
    with pytest.raises(signing.SigningError, match="Cannot read"):
        signing.load_signer({"SIGNING_PKCS12_PATH": str(tmp_path / "missing.p12")}, instance)


def test_replacing_the_configured_file_takes_effect(instance, tmp_path):
    path = tmp_path / "rotating.p12"
    config = {"SIGNING_PKCS12_PATH": str(path), "SIGNING_PKCS12_PASSWORD": "pw"}
    certs = []
    for name in ("Old certificate", "New certificate"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        certs.append(make_certificate(name, key))
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                None, key, certs[-1], None, serialization.BestAvailableEncryption(b"pw")
            )
        )
        stamp = time.time_ns() + len(certs) * 10**9  # a later mtime, whatever the clock
        os.utime(path, ns=(stamp, stamp))
        assert signing.certificate_pem(config, instance).encode() == pem_of(certs[-1])


# --- speed ------------------------------------------------------------------------------


def test_the_key_is_not_parsed_again_for_each_signature(instance, provider_pkcs12, monkeypatch):
    # pyHanko's SimpleSigner.sign_raw loads the key from DER on every call (about 80 ms
    # for RSA); the cached signer signs with the key it loaded once.
    def reparse(*args, **kwargs):
        raise AssertionError("SimpleSigner.sign_raw reloads the key")

    rsa_signer = signing.load_signer({}, instance)
    path, password, _, _ = provider_pkcs12
    config = {"SIGNING_PKCS12_PATH": str(path), "SIGNING_PKCS12_PASSWORD": password}
    ec_signer = signing.load_signer(config, instance)
    monkeypatch.setattr(SimpleSigner, "sign_raw", reparse)
    for signer in (rsa_signer, ec_signer):
        signed = pdf_module.render(HTML, {}, {}, signing.pdf_signer(signer, reason="r")).pdf
        assert signing.validate(signed).valid


def test_an_untrusted_signature_is_an_answer_not_a_logged_fault(instance, tmp_path, caplog):
    signed = sign({}, instance)
    other = signing.certificate_pem({}, str(tmp_path / "other"))
    with caplog.at_level("WARNING"):
        check = signing.validate(signed, other)
    assert check.intact and not check.trusted
    assert not [r for r in caplog.records if r.name.startswith("pyhanko")]
