"""Tiny valid files of each accepted type, and hostile ones, built in memory for the tests."""

from __future__ import annotations

import functools
import io
import zipfile

# Not the EICAR string: a marker only the fake clamd of these tests treats as a virus, so no
# antivirus on a developer's machine quarantines this source file.
VIRUS_MARKER = b"FAZHI-TEST-VIRUS-MARKER"

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n"
    b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\x0bIDATx\x9cc\xf8\x0f\x00\x01\x01\x01\x00\x18\xdd\x8d\xb0"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def package(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return package(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "word/document.xml": "<w:document><w:body>法治</w:body></w:document>".encode(),
            **(extra or {}),
        }
    )


def xlsx(extra: dict[str, bytes] | None = None) -> bytes:
    return package(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "xl/workbook.xml": b"<workbook><sheets/></workbook>",
            **(extra or {}),
        }
    )


def ofd() -> bytes:
    return package(
        {
            "OFD.xml": b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>',
            "Doc_0/Document.xml": b"<ofd:Document/>",
        }
    )


@functools.cache
def docx_bomb_huge_entry(uncompressed_bytes: int) -> bytes:
    """A DOCX whose one entry expands from a few hundred KB of zeros to `uncompressed_bytes`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        block = b"\0" * (1024 * 1024)
        with archive.open("word/media/bomb.bin", "w", force_zip64=True) as entry:
            remaining = uncompressed_bytes
            while remaining > 0:
                entry.write(block[: min(len(block), remaining)])
                remaining -= len(block)
    return buffer.getvalue()


def docx_bomb_many_entries(count: int) -> bytes:
    entries = {f"word/parts/{i}.xml": b"<p/>" for i in range(count)}
    return docx(entries)


def zip_with_flag(name: str, data: bytes, *, flag_bits: int) -> bytes:
    """A DOCX with one entry whose general-purpose flags are set by hand (e.g. encrypted).

    zipfile cannot write encrypted entries, so the flag is patched into the entry's local and
    central headers after writing.
    """
    raw = bytearray(
        package(
            {
                "[Content_Types].xml": CONTENT_TYPES,
                "word/document.xml": b"<w:document/>",
                name: data,
            },
            compression=zipfile.ZIP_STORED,
        )
    )
    encoded = name.encode()
    for signature, flag_offset, name_offset in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            if raw[start + name_offset : start + name_offset + len(encoded)] == encoded:
                raw[start + flag_offset : start + flag_offset + 2] = flag_bits.to_bytes(2, "little")
            start += 4
    return bytes(raw)


BY_TYPE = {
    "pdf": ("决定书.pdf", PDF, "application/pdf", "pdf"),
    "ofd": ("公文.ofd", ofd(), "application/ofd", "ofd"),
    "docx": (
        "审查意见.docx",
        docx(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xlsx": (
        "统计表.xlsx",
        xlsx(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "jpeg": ("现场照片.jpeg", JPEG, "image/jpeg", "jpg"),
    "png": ("截图.png", PNG, "image/png", "png"),
}
