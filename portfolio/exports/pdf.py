"""Making the PDF: WeasyPrint behind a fetcher that serves only this portfolio's images,
attached PDFs laid onto the pages reserved for them, the signature, and a time limit."""

import contextlib
import ctypes
import gc
import io
import multiprocessing
import os
import re
import signal
import traceback
from pathlib import Path
from typing import NamedTuple

import pypdf
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import PdfSigner
from weasyprint import CSS, HTML
from weasyprint.html import UA, UA_FORM_STYLESHEET
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portfolio.errors import DomainError
from portfolio.exports import signing
from portfolio.listing import whole_number

SCHEME = "portfolio-file:"


class RenderTimeout(DomainError):
    status = 503


class PortfolioFetcher(URLFetcher):
    """Resources for WeasyPrint: this portfolio's image files, and nothing else.

    No ``file://``, no network: an evidence text that names any other address gets no
    resource (WeasyPrint leaves the image out) and the refusal is counted.
    """

    def __init__(self, images: dict[int, tuple[Path, str]]):
        super().__init__(allowed_protocols=set())
        self.images = images
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        number = whole_number(url[len(SCHEME) :]) if url.startswith(SCHEME) else None
        if number is not None:
            found = self.images.get(number)
            if found:
                path, media_type = found
                return URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": media_type}
                )
        self.refused.append(url[:200])
        raise ValueError(f"resource refused: {url[:100]}")


def lean_user_agent_css(ua: str) -> str:
    """WeasyPrint's HTML stylesheet without the pseudo-element rules that apply to every element.

    Its ``::footnote-*`` and ``::note-*`` rules and its bare ``::marker`` rule match every
    element, so each element gets six computed pseudo-element styles that live until the PDF
    is written, a large share of a long portfolio's peak memory (docs/performance.md). The
    export has no footnotes or notes, and markers only on list items, so the rules go, and
    the marker rule applies to the elements that are list items.
    """
    lean, notes = re.subn(r"(?m)^::(?:footnote|note)-[a-z]+ \{[^}]*\}\n", "", ua)
    lean, markers = re.subn(r"(?m)^::marker \{", "li::marker, summary::marker {", lean)
    if not (notes and markers):
        raise RuntimeError("WeasyPrint's HTML stylesheet has changed: review lean_user_agent_css")
    return lean


LEAN_UA_STYLESHEET = CSS(string=lean_user_agent_css(UA))


class PortfolioHTML(HTML):
    """A document styled by the lean user-agent stylesheet above."""

    def _ua_stylesheets(self, forms=False):
        return [LEAN_UA_STYLESHEET, UA_FORM_STYLESHEET] if forms else [LEAN_UA_STYLESHEET]


# What XML 1.0 cannot hold. WeasyPrint copies the document's title, authors and description
# into the PDF's XMP metadata as they are, and pyHanko, which updates that metadata when it
# signs, cannot read it back if a name there holds such a character.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe_metadata(metadata) -> None:
    """Remove from WeasyPrint's ``DocumentMetadata`` the characters its XMP cannot hold."""
    metadata.title = metadata.title and NOT_IN_XML.sub("", metadata.title)
    metadata.description = metadata.description and NOT_IN_XML.sub("", metadata.description)
    metadata.authors = [NOT_IN_XML.sub("", a) for a in metadata.authors]
    metadata.keywords = [NOT_IN_XML.sub("", k) for k in metadata.keywords]


class Rendered(NamedTuple):
    pdf: bytes  # signed
    pages: int


def count_pages(path: Path) -> int:
    try:
        return len(pypdf.PdfReader(path).pages)
    except Exception:  # noqa: BLE001  (a damaged attachment is listed, not appended)
        return 0


def attachment_pages(document) -> dict[int, tuple[int, int]]:
    """The pages kept for attached PDFs in a laid-out document: page index to the attached
    file's id and the page of it that goes there (their anchors say which)."""
    reserved: dict[int, tuple[int, int]] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("attachment-"):
                _, file_id, n = anchor.split("-")
                reserved[index] = (int(file_id), int(n))
    return reserved


def render(
    html: str,
    images: dict[int, tuple[Path, str]],
    attachments: dict[int, Path],
    signature: PdfSigner,
) -> Rendered:
    """HTML to a signed PDF (tagged for screen readers) with attached PDFs laid in; its page
    count."""
    # The request's garbage goes before WeasyPrint's peak rather than during it.
    gc.collect()
    fetcher = PortfolioFetcher(images)
    document = PortfolioHTML(string=html, base_url="portfolio-file:/", url_fetcher=fetcher).render()
    xml_safe_metadata(document.metadata)
    reserved = attachment_pages(document)
    pages = len(document.pages)
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    del document  # the layout is the largest thing in memory: free it before what follows
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if reserved:
        lay_in_attachments(writer, reserved, attachments)
    return Rendered(signing.sign(writer, signature), pages)


def lay_in_attachments(
    writer: IncrementalPdfFileWriter,
    reserved: dict[int, tuple[int, int]],
    attachments: dict[int, Path],
) -> None:
    """Draw each attached PDF's pages onto the pages reserved for them, scaled to fit the body.

    Changes to ``writer``: only the changed pages and the imported pages are written after
    the document's own bytes, in the update that signs it.
    """
    readers = {}
    for index, (file_id, n) in reserved.items():
        if file_id not in readers:
            readers[file_id] = PdfFileReader(
                io.BytesIO(attachments[file_id].read_bytes()), strict=False
            )
        xobject = writer.import_page_as_xobject(readers[file_id], page_ix=n)
        x0, y0, x1, y1 = (float(v) for v in xobject.get_object()["/BBox"])
        page_ref, _ = writer.find_page_for_modification(index)
        bx0, by0, bx1, by1 = (float(v) for v in page_ref.get_object()["/MediaBox"])
        box_w, box_h, src_w, src_h = bx1 - bx0, by1 - by0, x1 - x0, y1 - y0
        # Leave the running header and footer visible: use the middle 84% of the page.
        scale = min(box_w * 0.84 / src_w, box_h * 0.84 / src_h)
        dx = bx0 + (box_w - src_w * scale) / 2 - x0 * scale
        dy = by0 + (box_h - src_h * scale) / 2 - y0 * scale
        name = f"/Attachment{file_id}p{n}"
        # WeasyPrint leaves its flipped coordinates in force at the end of a page's content:
        # wrap that content in q ... Q so that the attachment is drawn the right way up.
        writer.add_stream_to_page(
            index, writer.add_object(generic.StreamObject(stream_data=b"q\n")), prepend=True
        )
        draw = f"Q\nq {scale:.6f} 0 0 {scale:.6f} {dx:.4f} {dy:.4f} cm {name} Do Q\n".encode()
        resources = generic.DictionaryObject(
            {
                generic.pdf_name("/XObject"): generic.DictionaryObject(
                    {generic.pdf_name(name): xobject}
                )
            }
        )
        writer.add_stream_to_page(
            index, writer.add_object(generic.StreamObject(stream_data=draw)), resources=resources
        )


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent_pid: int, reader) -> None:
    """End this child when the worker that forked it ends, however it ends.

    A worker killed mid-render (SIGKILL, out of memory) never stops its child, which would
    render on and then block for ever writing the PDF to a pipe that no one reads. Linux's
    PR_SET_PDEATHSIG has the kernel kill the child when the forking thread ends; the check
    of the parent's id covers a worker that died before the call. The child also closes its
    copy of the reading end, so that elsewhere a dead parent is a broken pipe, not a hang.
    """
    reader.close()
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the broken pipe remains
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)


def _child(parent_pid, reader, connection, html, images, attachments, signature):
    _die_with_parent(parent_pid, reader)
    # The forked child inherits the server worker's signal handlers; it must stop on SIGTERM.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        connection.send(("ok", render(html, images, attachments, signature)))
    except BaseException:  # noqa: BLE001  (reported to the parent, which raises)
        connection.send(("error", traceback.format_exc(limit=5)))
    finally:
        connection.close()


def render_with_time_limit(
    html: str, images, attachments, signature: PdfSigner, seconds: float
) -> Rendered:
    """Render in a forked child so that a pathological document can be stopped."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(os.getpid(), parent, child, html, images, attachments, signature),
        daemon=True,
    )  # fmt: skip
    # The child's garbage collections pass over its own objects only, not the worker's that
    # it shares: they neither take the time to walk them nor make private copies of their
    # memory (the gc module's advice for a fork without exec).
    gc.freeze()
    try:
        process.start()
    finally:
        gc.unfreeze()
    child.close()
    try:
        if not parent.poll(seconds):
            process.kill()
            raise RenderTimeout(
                f"Making the PDF took longer than {seconds:.0f} seconds and was stopped. "
                "An evidence item may be very large; tell your administrator."
            )
        status, payload = parent.recv()
    finally:
        process.join(5)
        parent.close()
    if status != "ok":
        raise DomainError("The PDF could not be made: " + payload.strip().splitlines()[-1])
    return payload
