"""Builders shared by the tests of the drafting and review extras: Word files made on the spot,
a bureau with a second department and legal advisers, a document in review."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from fazhi.core.roles import Role
from fazhi.rules import services
from fazhi.rules.models import NormativeDocument
from fazhi.rules.tests.test_lifecycle import draft
from fazhi.testing.factories import DepartmentFactory, user_with_role

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(*blocks) -> bytes:
    """A .docx with the given blocks in order: a str is a paragraph, a list of rows a table."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for r, row in enumerate(block):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def with_macros(data: bytes) -> bytes:
    """The same package with a VBA project inside: a .docm renamed .docx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("word/vbaProject.bin", b"\x00" * 64)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "不是 Word 文档")
    return buffer.getvalue()


def upload(data: bytes, name: str = "草案.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=DOCX_TYPE)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_bureau(office) -> dict:
    """The office plus a second department (its head, its clerk), a third department's head
    and two legal advisers of the agency."""
    agency = office["agency"]
    other = DepartmentFactory(agency=agency, name="社会事务科")
    third = DepartmentFactory(agency=agency, name="养老服务科")
    return {
        **office,
        "other": other,
        "third": third,
        "head": user_with_role(Role.DEPARTMENT_HEAD, agency=agency, department=other),
        "other_clerk": user_with_role(Role.CLERK, agency=agency, department=other),
        "third_head": user_with_role(Role.DEPARTMENT_HEAD, agency=agency, department=third),
        "adviser": user_with_role(Role.LEGAL_ADVISER, agency=agency, display_name="周律师"),
        "adviser2": user_with_role(Role.LEGAL_ADVISER, agency=agency),
    }


def in_review(office) -> NormativeDocument:
    """Given a draft sent for legality review (consultation exempted by the legal office)."""
    document = draft(office)
    services.exemption_approve(
        actor=office["officer"], document=document, ground="涉及国家秘密，依法不予公开征求意见"
    )
    return services.review_submit(actor=office["clerk"], document=document)


def fresh(document) -> NormativeDocument:
    return NormativeDocument.objects.get(pk=document.pk)
