"""Attachments of reports: a photo (JPEG, PNG) or a PDF, typed by its content (never by its
name or the declared type), capped in size, photos re-encoded by Pillow so that no metadata
(EXIF, GPS, camera) survives, stored outside the database under its SHA-256."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from chassis.domain import ConflictError, Invalid, NotFoundError
from chassis.uow import UnitOfWork
from services.feedback.tables import Attachment, Report

MAX_BYTES = 5 * 1024 * 1024  # per file: a phone photo or a scanned letter
MAX_PER_REPORT = 5
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
PDF_FORBIDDEN = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/OpenAction")
FIELD = "file"


def sniff(content: bytes) -> str | None:
    """The media type the content itself shows (magic bytes), or None when it is none we take."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean(content: bytes) -> tuple[bytes, str]:
    """The content to store and its type: photos re-encoded without metadata, PDFs checked.
    Raises Invalid (naming the file field) for anything else, malformed or dangerous."""
    if not content:
        raise Invalid.field(FIELD, "The file is empty.", location="files")
    if len(content) > MAX_BYTES:
        raise Invalid.field(FIELD, f"A file may have at most {MAX_BYTES} bytes.", location="files")
    media_type = sniff(content)
    if media_type is None:
        raise Invalid.field(
            FIELD, "Only a JPEG or PNG photo or a PDF is accepted.", location="files"
        )
    if media_type == "application/pdf":
        return _checked_pdf(content), media_type
    return _reencoded(content, media_type), media_type


def _checked_pdf(content: bytes) -> bytes:
    # A PDF is kept as it is (re-rendering would lose the letter), but one that runs code
    # (JavaScript, launch actions, embedded files) is refused: it would run on staff's machines.
    if b"%%EOF" not in content[-2048:]:
        raise Invalid.field(FIELD, "The PDF is incomplete or malformed.", location="files")
    if any(marker in content for marker in PDF_FORBIDDEN):
        message = "PDFs with scripts, actions or embedded files are refused."
        raise Invalid.field(FIELD, message, location="files")
    return content


def _reencoded(content: bytes, media_type: str) -> bytes:
    # Pillow is imported here, on the first photo: the web process stays small without it.
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise Invalid.field(FIELD, "The image is too large.", location="files")
            probe.verify()  # structure check; the image must be reopened to be decoded
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            # The photo is turned upright first, since its orientation tag goes with the rest.
            upright = ImageOps.exif_transpose(image)
            return _pixels_only(upright, media_type)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        message = "The image is damaged or not what it claims to be."
        raise Invalid.field(FIELD, message, location="files") from None


def _pixels_only(image: Any, media_type: str) -> bytes:
    from PIL import Image

    # Only the pixels are copied into a new image: EXIF (GPS, camera, time), XMP, ICC and text
    # chunks stay behind with the original.
    if media_type == "image/jpeg":
        mode = image.mode if image.mode in ("RGB", "L") else "RGB"
    else:
        mode = image.mode if image.mode in ("1", "L", "LA", "RGB", "RGBA", "P") else "RGBA"
    source = image if image.mode == mode else image.convert(mode)
    bare = Image.new(source.mode, source.size)
    if source.mode == "P":
        bare.putpalette(source.getpalette() or [])
    bare.paste(source)
    out = io.BytesIO()
    if media_type == "image/jpeg":
        bare.save(out, format="JPEG", quality=88)
    else:
        bare.save(out, format="PNG")
    return out.getvalue()


def store(folder: Path, content: bytes) -> str:
    """Write `content` under its SHA-256 (atomic: a temporary file renamed); returns the hash."""
    digest = hashlib.sha256(content).hexdigest()
    target = folder / digest[:2] / digest
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest


def add(
    uow: UnitOfWork, report: Report, content: bytes, folder: Path, now: datetime
) -> dict[str, Any]:
    """Attach a cleaned file to `report`; nothing is written when it is refused."""
    if report.status in ("REJECTED", "FORWARDED", "CLOSED"):
        raise ConflictError(f"A report that is {report.status} takes no attachments.")
    count = uow.session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.report_id == report.id)
    )
    if count >= MAX_PER_REPORT:
        raise ConflictError(f"A report has at most {MAX_PER_REPORT} attachments.")
    cleaned, media_type = clean(content)
    digest = store(folder, cleaned)
    attachment = Attachment(
        report_id=report.id, sha256=digest, media_type=media_type, size=len(cleaned), added_at=now
    )
    uow.session.add(attachment)
    uow.flush()
    return {"id": attachment.id, "media_type": media_type, "size": len(cleaned), "sha256": digest}


def read(uow: UnitOfWork, report: Report, attachment_id: int, folder: Path) -> tuple[bytes, str]:
    """The stored bytes of one attachment of `report`, checked against their SHA-256."""
    attachment = uow.session.get(Attachment, attachment_id)
    if attachment is None or attachment.report_id != report.id:
        raise NotFoundError("No such attachment on this report.")
    content = (folder / attachment.sha256[:2] / attachment.sha256).read_bytes()
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise ConflictError("The stored file does not match its checksum; it is withheld.")
    return content, attachment.media_type
