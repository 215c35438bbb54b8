"""Product photos: what an upload must be, and the two thumbnail sizes made from it with Pillow.

Files go through Django's storage API only (filesystem in embedded mode, S3 via django-storages
when MEDIA_BACKEND=s3), so nothing here knows where bytes end up.
"""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile, File
from django.db.models.fields.files import FieldFile
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
THUMBNAIL_WIDTHS = {"small": 320, "large": 800}
THUMBNAIL_QUALITY = 85


class InvalidImage(ValueError):
    """An upload that is not an accepted image, or is too large; the message names the problem."""


def validate_image(upload: File) -> None:
    """Accept a JPEG, PNG, GIF or WebP of at most 10 MB; raise InvalidImage otherwise.

    The content is checked with Pillow (the name and the browser's content type are not trusted);
    the file is rewound afterwards so that it can be saved.
    """
    name = getattr(upload, "name", "") or "the file"
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise InvalidImage(
            f"{PurePosixPath(name).name} is {upload.size / 1024 / 1024:.1f} MB; images may be at most "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as picture:
            picture_format = picture.format
            picture.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise InvalidImage(f"{PurePosixPath(name).name} is not an image Pillow can read") from None
    finally:
        upload.seek(0)
    if picture_format not in ACCEPTED_FORMATS:
        raise InvalidImage(f"{PurePosixPath(name).name} is a {picture_format} image; use JPEG, PNG, GIF or WebP")


def _render(picture: Image.Image, width: int) -> bytes:
    if picture.width > width:
        height = max(1, round(picture.height * width / picture.width))
        picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    buffer = BytesIO()
    picture.save(buffer, format="JPEG", quality=THUMBNAIL_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def render_thumbnails(original: FieldFile) -> tuple[ContentFile, ContentFile]:
    """The small (320 px wide) and large (800 px wide) JPEG thumbnails of a stored image.

    Narrower originals are not enlarged; transparency is flattened onto white.
    """
    with original.open("rb") as handle, Image.open(handle) as source:
        source.load()
        if source.mode in ("RGBA", "LA", "P"):
            rgba = source.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = source.convert("RGB")
    stem = PurePosixPath(original.name).stem
    small, large = (
        ContentFile(_render(flat, THUMBNAIL_WIDTHS[size]), name=f"{stem}-{THUMBNAIL_WIDTHS[size]}w.jpg")
        for size in ("small", "large")
    )
    return small, large
