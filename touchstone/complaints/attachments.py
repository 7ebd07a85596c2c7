"""What a complaint may carry: PDF, PNG, JPEG or plain text, up to 5 MB, judged by the bytes, not the name."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 3
ALLOWED_SUFFIXES = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "text/plain": (".txt", ".text"),
}


def sniff_content_type(head: bytes) -> str | None:
    """The type the file's first bytes show, or None when it is none of the allowed ones."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 3:
            return None
    return "text/plain"


def check_attachment(upload: UploadedFile) -> str:
    """The content type of an acceptable upload; ValidationError telling the person what to change."""
    name = upload.name or ""
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than 5 MB. Send a smaller file or leave it out.") % {"name": name}
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    content_type = sniff_content_type(head)
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if content_type is None or suffix not in ALLOWED_SUFFIXES[content_type]:
        raise ValidationError(
            _("“%(name)s” is not a PDF, PNG, JPEG or plain text file. Attach only those kinds of file.")
            % {"name": name}
        )
    return content_type
