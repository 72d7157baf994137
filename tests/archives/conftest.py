"""Fixtures of the archives' tests: a fonds with two organization codes, an archivist."""

from datetime import date

import pytest

from archives import services as archive
from archives.models import Fonds, OrganizationCode
from hall.models import Role


@pytest.fixture
def fonds(db, school, research_dept):
    fonds = Fonds.objects.create(code="Z001", name="本校全宗")
    OrganizationCode.objects.create(fonds=fonds, department=school, code="JSJ")
    OrganizationCode.objects.create(fonds=fonds, department=research_dept, code="KYY")
    return fonds


def package(n: int, *, year=2026, retention="D30", department=None, source=None):
    return archive.FilingPackage(
        title=f"文件{n}",
        date=date(year, 5, 1),
        retention=retention,
        department_id=department,
        files=[(f"f{n}.txt", f"内容{n}".encode())],
        source_ref=source,
    )


@pytest.fixture
def archivist(people, research_dept):
    Role.objects.create(department=research_dept, code="archivist", name_zh="档案员").holders.add(
        people["rose"]
    )
    return people["rose"]


def real_pdf() -> bytes:
    """A one-page PDF that really opens (the hall's upload checker opens every PDF)."""
    from io import BytesIO

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()
