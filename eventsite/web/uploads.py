"""Uploaded files: speaker photos (checked and re-encoded) and resource files (checked).

Nothing uploaded is served as it arrived: photos are decoded and written afresh by
Pillow without their metadata, and resource files must be what their name says, down to
the first bytes. Both are stored under random names inside UPLOAD_FOLDER, readable by
their owner only.

Request bodies: every request may send at most FORM_MAX_BYTES (MAX_CONTENT_LENGTH), except
views marked @accepts_uploads, which may send a file as large as a resource file.
"""
from __future__ import annotations

import io
import os
import secrets
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import Request, current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

MB = 1024 * 1024
PHOTO_MAX_BYTES = 5 * MB
PHOTO_MAX_SIDE = 800
PHOTO_MAX_PIXELS = 25_000_000
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
RESOURCE_MAX_BYTES = 20 * MB
# Room for the largest file plus the rest of the form.
UPLOAD_MAX_BYTES = RESOURCE_MAX_BYTES + MB
# Every other request: far more than any form needs, far less than a memory-filling body.
FORM_MAX_BYTES = 64 * 1024

# Office files are ZIP packages; the folder inside says which kind.
RESOURCE_TYPES = {
    ".pdf": ("application/pdf", None),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "word/"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
              "ppt/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/"),
}


class UploadRefused(ValueError):
    """The file cannot be accepted; the message says why, for the person uploading."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    filename: str
    content_type: str
    size: int


def accepts_uploads(view):
    """Mark a view that takes uploaded files: its requests may be up to UPLOAD_MAX_BYTES."""
    view.accepts_uploads = True
    return view


class SiteRequest(Request):
    """A request whose body limit depends on its view, decided before anything reads it.

    Deciding here rather than in a before_request hook holds whatever order the hooks
    run in (the CSRF check reads the form in one of them).
    """

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self.url_rule is not None and current_app:
            view = current_app.view_functions.get(self.url_rule.endpoint)
            if getattr(view, "accepts_uploads", False):
                return UPLOAD_MAX_BYTES
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def _write_private(path: Path, data: bytes) -> None:
    """Write a new file readable and writable by its owner only (0600), whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def upload_folder(kind: str) -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _read_limited(upload: FileStorage, limit: int, too_large: str) -> bytes:
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(too_large)
    if not data:
        raise UploadRefused("That file is empty. Choose another file.")
    return data


def _decode_photo(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in PHOTO_FORMATS:
                    raise UploadRefused("The photo must be a JPEG, PNG, WebP or GIF image.")
                if probe.width * probe.height > PHOTO_MAX_PIXELS:
                    raise UploadRefused("That image has too many pixels. Use a smaller one.")
                probe.verify()
            # verify() leaves the image unusable, so decode it again to re-encode it.
            image = Image.open(io.BytesIO(data))
            image.load()
    except UploadRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, OSError, SyntaxError, ValueError):
        raise UploadRefused(
            "That file is not a photo we can read. Upload a JPEG, PNG, WebP or GIF image."
        ) from None
    return image


def save_speaker_photo(upload: FileStorage) -> str:
    """Check, resize and re-encode a speaker photo; return its new file name.

    Promises: at most 5 MB accepted; only real images; EXIF and other metadata
    dropped (orientation applied first); at most 800 px on the longest side; written as
    JPEG, or PNG when the image has transparency, under a random name.
    """
    data = _read_limited(upload, PHOTO_MAX_BYTES,
                         "The photo is larger than 5 MB. Choose a smaller photo.")
    image = ImageOps.exif_transpose(_decode_photo(data))
    has_alpha = image.mode in ("RGBA", "LA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image carries pixels only: no EXIF, GPS, comments or colour-profile tricks.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    extension, format_name = (".png", "PNG") if has_alpha else (".jpg", "JPEG")
    name = secrets.token_hex(16) + extension
    options = {"optimize": True} if has_alpha else {"quality": 85, "optimize": True}
    encoded = io.BytesIO()
    clean.save(encoded, format_name, **options)
    _write_private(upload_folder("speakers") / name, encoded.getvalue())
    return name


def delete_speaker_photo(name: str | None) -> None:
    if name:
        (upload_folder("speakers") / Path(name).name).unlink(missing_ok=True)


def _looks_like(data: bytes, extension: str) -> bool:
    _content_type, package_folder = RESOURCE_TYPES[extension]
    if package_folder is None:
        return data.startswith(b"%PDF-")
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(package_folder) for n in names)


def save_resource_file(upload: FileStorage) -> StoredFile:
    """Check a slides or report file (PDF, PPTX, DOCX, XLSX, up to 20 MB) and store it.

    Both the extension and the file's own first bytes (and, for Office files, the
    package inside) must agree, or the file is refused.
    """
    extension = Path(upload.filename or "").suffix.lower()
    if extension not in RESOURCE_TYPES:
        raise UploadRefused("Upload a PDF, PowerPoint (.pptx), Word (.docx) or Excel (.xlsx) file.")
    data = _read_limited(upload, RESOURCE_MAX_BYTES,
                         "The file is larger than 20 MB. Share it as a link instead.")
    if not _looks_like(data, extension):
        raise UploadRefused(f"That file is not a real {extension[1:].upper()} file.")
    original = secure_filename(upload.filename or "")
    if Path(original).suffix.lower() != extension:
        original = f"resource{extension}"
    stored_name = secrets.token_hex(16) + extension
    _write_private(upload_folder("resources") / stored_name, data)
    return StoredFile(stored_name=stored_name, filename=original,
                      content_type=RESOURCE_TYPES[extension][0], size=len(data))


def delete_resource_file(stored_name: str | None) -> None:
    if stored_name:
        (upload_folder("resources") / Path(stored_name).name).unlink(missing_ok=True)


def copy_resource_file(stored_name: str) -> str:
    """A copy of a stored resource file under a new name (for a duplicated event, so that
    deleting either event's file leaves the other's); returns the new name."""
    folder = upload_folder("resources")
    source = folder / Path(stored_name).name
    copied = secrets.token_hex(16) + source.suffix
    _write_private(folder / copied, source.read_bytes())
    return copied


def resource_folder() -> str:
    """Where resource files are stored, for serving them."""
    return str(upload_folder("resources"))


def photo_folder() -> str:
    """Where speaker photos are stored, for serving them."""
    return str(upload_folder("speakers"))
