"""What a file is, decided from its bytes and its extension together.

Both must name the same type: a PNG renamed `.pdf` is refused, and so is a PDF without a known
extension. Zip-based formats (DOCX, XLSX, OFD) are inspected through the central directory only
— sizes as declared by `ZipInfo` — and never extracted, so a zip bomb costs nothing to refuse.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext_lazy as _

from fazhi.core.errors import InvalidInput
from fazhi.core.files import conf


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str
    # The first is the canonical extension the file is stored and served with.
    extensions: tuple[str, ...]

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileType("pdf", "PDF", "application/pdf", ("pdf",))
# GB/T 33190-2016 版式文档; "application/ofd" is what Chinese readers and browsers expect.
OFD = FileType("ofd", "OFD", "application/ofd", ("ofd",))
DOCX = FileType(
    "docx",
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = FileType(
    "xlsx",
    "XLSX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ("xlsx",),
)
JPEG = FileType("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg", "jpe"))
PNG = FileType("png", "PNG", "image/png", ("png",))

TYPES: dict[str, FileType] = {t.key: t for t in (PDF, OFD, DOCX, XLSX, JPEG, PNG)}
BY_EXTENSION: dict[str, FileType] = {ext: t for t in TYPES.values() for ext in t.extensions}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
ZIP_SIGNATURE = b"PK\x03\x04"

# Entries whose presence identifies a package type (all of them must be there).
_PACKAGE_MARKERS: tuple[tuple[FileType, frozenset[str]], ...] = (
    (DOCX, frozenset({"[Content_Types].xml", "word/document.xml"})),
    (XLSX, frozenset({"[Content_Types].xml", "xl/workbook.xml"})),
    (OFD, frozenset({"OFD.xml"})),
)
# A VBA project inside a .docx/.xlsx is a macro document wearing the wrong extension.
_MACRO_ENTRY = "vbaproject.bin"

SUPPORTED_LABELS = "、".join(t.label for t in TYPES.values())


def _unknown() -> InvalidInput:
    return InvalidInput(
        _("无法识别文件类型。仅接受 %(types)s 文件。") % {"types": SUPPORTED_LABELS},
        code="file_type_unknown",
    )


def detect(fileobj: BinaryIO, *, extension: str) -> FileType:
    """The type of the file, when its bytes and `extension` agree; InvalidInput otherwise.

    `fileobj` must be seekable (the store's temporary copy); it is left at position 0.
    """
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(PDF_SIGNATURE):
        found = PDF
    elif head.startswith(JPEG_SIGNATURE):
        found = JPEG
    elif head.startswith(PNG_SIGNATURE):
        found = PNG
    elif head.startswith(ZIP_SIGNATURE):
        found = inspect_package(fileobj)
    else:
        raise _unknown()
    claimed = BY_EXTENSION.get(extension.lower())
    if claimed is None:
        raise InvalidInput(
            _("文件内容是 %(found)s，但扩展名“%(ext)s”不是受支持的类型。请使用 .%(right)s。")
            % {"found": found.label, "ext": extension or _("（无）"), "right": found.extension},
            code="file_type_mismatch",
        )
    if claimed is not found:
        raise InvalidInput(
            _("文件内容是 %(found)s，扩展名却是 .%(ext)s，两者不一致，请确认文件后重新上传。")
            % {"found": found.label, "ext": extension.lower()},
            code="file_type_mismatch",
        )
    return found


def inspect_package(fileobj: BinaryIO) -> FileType:
    """Check a zip package against bombs and tricks, then tell DOCX, XLSX and OFD apart.

    Reads only the central directory. Refuses: more entries than allowed, a declared total
    size over the limit, one large entry expanding beyond the allowed ratio, encrypted entries,
    entries with absolute or parent-directory paths, macro projects, and corrupt archives.
    """
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InvalidInput(
            _("文件已损坏，无法作为 DOCX/XLSX/OFD 文档读取。"), code="file_archive_corrupt"
        ) from exc
    finally:
        fileobj.seek(0)
    if len(infos) > conf.zip_max_entries():
        raise InvalidInput(
            _("文档内部条目过多（%(n)d 个，上限 %(max)d 个），疑似压缩炸弹，已拒绝。")
            % {"n": len(infos), "max": conf.zip_max_entries()},
            code="file_archive_too_many_entries",
        )
    total = 0
    max_total = conf.zip_max_uncompressed_bytes()
    max_ratio = conf.zip_max_ratio()
    ratio_floor = conf.zip_ratio_min_bytes()
    names: set[str] = set()
    for info in infos:
        _check_entry_name(info.filename)
        if info.flag_bits & 0x1:
            raise InvalidInput(
                _("文档已加密，无法检查其内容。请去除密码后重新上传。"),
                code="file_archive_encrypted",
            )
        if info.filename.rsplit("/", 1)[-1].lower() == _MACRO_ENTRY:
            raise InvalidInput(
                _("文档含有宏，不予接受。请另存为不含宏的文档后重新上传。"),
                code="file_has_macros",
            )
        total += info.file_size
        if total > max_total:
            raise InvalidInput(
                _("文档解压后超过 %(mb)d MB，疑似压缩炸弹，已拒绝。")
                % {"mb": max_total // conf.MB},
                code="file_archive_too_large",
            )
        if info.file_size > ratio_floor and (
            info.compress_size == 0 or info.file_size / info.compress_size > max_ratio
        ):
            raise InvalidInput(
                _("文档中有条目的压缩比异常（超过 %(ratio)d:1），疑似压缩炸弹，已拒绝。")
                % {"ratio": max_ratio},
                code="file_archive_ratio",
            )
        names.add(info.filename)
    matches = [kind for kind, markers in _PACKAGE_MARKERS if markers <= names]
    if len(matches) != 1:
        raise _unknown()
    return matches[0]


def _check_entry_name(name: str) -> None:
    normalised = name.replace("\\", "/")
    parts = normalised.split("/")
    drive = len(normalised) > 1 and normalised[1] == ":"
    if normalised.startswith("/") or drive or ".." in parts or "\x00" in name:
        raise InvalidInput(_("文档内部含有非法路径的条目，已拒绝。"), code="file_archive_bad_path")
