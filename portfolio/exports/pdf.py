"""Making the PDF: WeasyPrint behind a fetcher that serves only this portfolio's images,
attached PDFs laid onto the pages reserved for them, a time limit, then the signature."""

import io
import multiprocessing
import traceback
from pathlib import Path

import pypdf
from pypdf import Transformation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portfolio.errors import DomainError

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
        if url.startswith(SCHEME) and url[len(SCHEME) :].isdigit():
            found = self.images.get(int(url[len(SCHEME) :]))
            if found:
                path, media_type = found
                return URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": media_type}
                )
        self.refused.append(url[:200])
        raise ValueError(f"resource refused: {url[:100]}")


def count_pages(path: Path) -> int:
    try:
        return len(pypdf.PdfReader(path).pages)
    except Exception:  # noqa: BLE001  (a damaged attachment is listed, not appended)
        return 0


def render(
    html: str, images: dict[int, tuple[Path, str]], attachments: dict[int, Path]
) -> tuple[bytes, int]:
    """HTML to PDF bytes (tagged for screen readers) with attached PDFs laid in; and the page count."""
    fetcher = PortfolioFetcher(images)
    document = HTML(string=html, base_url="portfolio-file:/", url_fetcher=fetcher).render()
    reserved: dict[int, tuple[int, int]] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("attachment-"):
                _, file_id, n = anchor.split("-")
                reserved[index] = (int(file_id), int(n))
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    if reserved:
        pdf = _lay_in_attachments(pdf, reserved, attachments)
    return pdf, len(document.pages)


def _lay_in_attachments(
    pdf: bytes, reserved: dict[int, tuple[int, int]], attachments: dict[int, Path]
) -> bytes:
    """Draw each attached PDF's pages onto the pages reserved for them, scaled to fit the body."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    readers = {file_id: pypdf.PdfReader(path) for file_id, path in attachments.items()}
    for index, (file_id, n) in reserved.items():
        source = readers[file_id].pages[n]
        target = writer.pages[index]
        box_w, box_h = float(target.mediabox.width), float(target.mediabox.height)
        src_w, src_h = float(source.mediabox.width), float(source.mediabox.height)
        # Leave the running header and footer visible: use the middle 84% of the page.
        scale = min(box_w * 0.84 / src_w, box_h * 0.84 / src_h)
        dx = (box_w - src_w * scale) / 2
        dy = (box_h - src_h * scale) / 2
        target.merge_transformed_page(source, Transformation().scale(scale).translate(dx, dy))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _child(connection, html, images, attachments):
    try:
        connection.send(("ok", render(html, images, attachments)))
    except BaseException:  # noqa: BLE001  (reported to the parent, which raises)
        connection.send(("error", traceback.format_exc(limit=5)))
    finally:
        connection.close()


def render_with_time_limit(html: str, images, attachments, seconds: float) -> tuple[bytes, int]:
    """Render in a forked child so that a pathological document can be stopped."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, html, images, attachments), daemon=True)
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
