"""Making the PDF: WeasyPrint behind a fetcher that serves only this portfolio's images,
room for the signature written in, attached PDFs laid onto the pages reserved for them, and
a time limit."""

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

import pydyf
import pypdf
from weasyprint import CSS, HTML
from weasyprint.html import UA, UA_FORM_STYLESHEET
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portfolio.errors import DomainError
from portfolio.exports.signing import SignatureSlot, SignatureSpace, UncompressedDictionary
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
    is written: 57,000 of them for a 100-item portfolio, about 55 MiB of its peak. The export
    has no footnotes or notes, and markers only on list items, so the rules go, and the
    marker rule applies to the elements that are list items.
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


class Rendered(NamedTuple):
    pdf: bytes
    pages: int
    signature: SignatureSlot  # where the signature's blanks are, to fill in by signing


def finisher(space: SignatureSpace):
    """The WeasyPrint finisher of an export: the information dictionary on its own, and the
    room for the signature."""

    def finish(document, pdf: pydyf.PDF) -> None:
        # The information dictionary as an object of its own: laying attached PDFs in
        # rewrites it (its modification date), and pyHanko finds an object in a stream by
        # reading the stream's index from the start, which took 0.1 s in a 100-item
        # portfolio; written on its own, the dictionary is found at its offset.
        if pdf.info:
            pdf.info = UncompressedDictionary(pdf.info)
        space(document, pdf)

    return finish


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
    space: SignatureSpace,
) -> Rendered:
    """HTML to PDF (tagged for screen readers) with attached PDFs laid in and ``space`` kept
    for its signature; its page count; where the signature goes."""
    # Collect the request's garbage first: measured, it lowers WeasyPrint's peak by ~50 MiB.
    gc.collect()
    fetcher = PortfolioFetcher(images)
    document = PortfolioHTML(string=html, base_url="portfolio-file:/", url_fetcher=fetcher).render()
    reserved = attachment_pages(document)
    pages = len(document.pages)
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", finisher=finisher(space))
    del document  # the layout is the largest thing in memory: free it before what follows
    slot = space.slot(pdf)
    if reserved:
        pdf = _lay_in_attachments(pdf, reserved, attachments)
    return Rendered(pdf, pages, slot)


def _lay_in_attachments(
    pdf: bytes, reserved: dict[int, tuple[int, int]], attachments: dict[int, Path]
) -> bytes:
    """Draw each attached PDF's pages onto the pages reserved for them, scaled to fit the body.

    An incremental update: only the changed pages and the imported pages are written after
    the document's own bytes, which are neither parsed in full nor rewritten.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
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
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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


def _child(parent_pid, reader, connection, html, images, attachments, space):
    _die_with_parent(parent_pid, reader)
    # The forked child inherits the server worker's signal handlers; it must stop on SIGTERM.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        connection.send(("ok", render(html, images, attachments, space)))
    except BaseException:  # noqa: BLE001  (reported to the parent, which raises)
        connection.send(("error", traceback.format_exc(limit=5)))
    finally:
        connection.close()


def render_with_time_limit(
    html: str, images, attachments, space: SignatureSpace, seconds: float
) -> Rendered:
    """Render in a forked child so that a pathological document can be stopped."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(os.getpid(), parent, child, html, images, attachments, space),
        daemon=True,
    )  # fmt: skip
    process.start()
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
