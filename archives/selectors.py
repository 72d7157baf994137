"""Reads of the archives. Archivists (role code ``archivist``, or office admins) see records."""

from django.db.models import Q, QuerySet

from archives.models import Record
from hall.models import Role, User
from hall.search import query_terms

ARCHIVIST_ROLE = "archivist"


def is_archivist(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_archivist"):  # asked once per request
        user._is_archivist = (
            user.is_staff or Role.objects.filter(holders=user, code=ARCHIVIST_ROLE).exists()
        )
    return user._is_archivist


def records_for(user: User) -> QuerySet[Record]:
    if not is_archivist(user):
        return Record.objects.none()
    return Record.objects.select_related("fonds", "department")


def search(
    user: User,
    *,
    q: str = "",
    year: int | None = None,
    retention: str = "",
    department: int | None = None,
) -> QuerySet[Record]:
    records = records_for(user)
    query, terms = query_terms(q)
    for term in terms:
        records = records.filter(
            Q(search_text__contains=term) | Q(code__icontains=term) | Q(doc_number__icontains=term)
        )
    if year:
        records = records.filter(year=year)
    if retention:
        records = records.filter(retention=retention)
    if department:
        records = records.filter(department_id=department)
    return records.order_by("-year", "retention", "org_code", "-item_number")


def lent_to(user: User) -> QuerySet[Record]:
    """Records the user borrows today: access ends with the due date, whatever else runs."""
    from django.utils import timezone

    from archives.models import Loan

    return Record.objects.filter(
        loans__borrower=user,
        loans__status=Loan.Status.APPROVED,
        loans__due_on__gte=timezone.localdate(),
        status=Record.Status.KEPT,
    )


def record_for(user: User, record_id: int) -> Record | None:
    if not user.is_authenticated:
        return None
    if is_archivist(user):
        return records_for(user).filter(pk=record_id).first()
    return lent_to(user).select_related("fonds", "department").filter(pk=record_id).first()


def loans_waiting():
    from archives.models import Loan

    return Loan.objects.filter(status=Loan.Status.REQUESTED).select_related("borrower")
