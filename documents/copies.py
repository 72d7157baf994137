"""Copy numbers (份号, GB/T 9704-2012 §7.2.1): print runs of a registered document.

Each run takes the next numbers of its document (first..last), under the document's row lock, so
two runs at once never share a number; a copy's PDF carries its six-digit number at the top left,
above the security level and the urgency.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Outgoing, PrintRun
from documents.services import DocumentError, is_office
from hall.models import User

MAX_COPY = 999_999  # six digits
MAX_RUN = 10_000


def check_print_run(document: Outgoing, user: User, count: int) -> None:
    if not is_office(user, document.authority):
        raise DocumentError(_("Only the office of the issuing authority prints numbered copies."))
    if document.status != Outgoing.Status.REGISTERED:
        raise DocumentError(_("Only a registered document is printed in numbered copies."))
    if not 1 <= count <= MAX_RUN:
        raise DocumentError(
            _("A print run has between 1 and %(most)s copies.") % {"most": f"{MAX_RUN:,}"}
        )


@transaction.atomic
def print_run_record(*, document_id: int, user: User, count: int) -> PrintRun:
    """Records a print run of ``count`` copies: who, when, and the range of 份号 it takes."""
    document = (
        Outgoing.objects.select_for_update(of=("self",))
        .select_related("authority")
        .get(pk=document_id)
    )
    check_print_run(document, user, count)
    last = document.print_runs.aggregate(m=Max("last"))["m"] or 0
    if last + count > MAX_COPY:
        raise DocumentError(_("Copy numbers have six digits: no more than 999999 copies."))
    return PrintRun.objects.create(
        document=document,
        first=last + 1,
        last=last + count,
        printed_by=user,
        printed_at=timezone.now(),
    )


def runs_of(document: Outgoing) -> list[PrintRun]:
    return list(document.print_runs.select_related("printed_by").order_by("first"))


def has_copy(document: Outgoing, k: int) -> bool:
    return document.print_runs.filter(first__lte=k, last__gte=k).exists()


def copies_printed(document: Outgoing) -> int:
    return document.print_runs.aggregate(m=Max("last"))["m"] or 0
