"""Certificates kept by the archives office: register, lend, return, remind."""

from datetime import date, timedelta

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import (
    CERTIFICATE_REMINDER_DAYS,
    Certificate,
    CertificateLoan,
    CertificateReminder,
)
from archives.services.records import ArchiveError, _require_archivist

SCAN_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
SCAN_MAX_BYTES = 20 * 1024 * 1024


def _clean_certificate(
    *, kind: str, name: str, number: str, issuer: str, custodian, scan, exclude_pk=None
) -> None:
    if kind not in Certificate.Kind.values:
        raise ArchiveError(_("Choose the type of the certificate."))
    if not (name or "").strip() or not (number or "").strip() or not (issuer or "").strip():
        raise ArchiveError(_("A certificate needs its name, number and issuer."))
    if custodian is None or not custodian.is_active:
        raise ArchiveError(_("Name an active user as the custodian."))
    if scan is not None:
        if not scan.name.lower().endswith(SCAN_TYPES):
            raise ArchiveError(_("The scan must be a PDF, JPEG or PNG file."))
        if scan.size > SCAN_MAX_BYTES:
            raise ArchiveError(_("The scan is larger than 20 MB."))
    twins = Certificate.objects.filter(kind=kind, number=number.strip()).exclude(pk=exclude_pk)
    if twins.exists():
        raise ArchiveError(
            _("A certificate of this type with the number %(n)s is registered already.")
            % {"n": number.strip()}
        )


def _store_scan(certificate: Certificate, scan) -> None:
    old = certificate.scan.name if certificate.scan else ""
    certificate.scan.save(scan.name, scan, save=False)
    certificate.scan_name = scan.name[-200:]
    if old:
        # The old bytes go only once the new row is committed: a rollback keeps the old scan.
        transaction.on_commit(lambda: default_storage.delete(old))


def _describe_certificate(
    certificate: Certificate,
    *,
    kind: str,
    name: str,
    number: str,
    issuer: str,
    valid_until: date | None,
    custodian,
    remarks: str,
    scan,
) -> Certificate:
    """Checks and writes a certificate's description; registering and editing share it."""
    _clean_certificate(
        kind=kind,
        name=name,
        number=number,
        issuer=issuer,
        custodian=custodian,
        scan=scan,
        exclude_pk=certificate.pk,
    )
    certificate.kind, certificate.name = kind, name.strip()[:200]
    certificate.number, certificate.issuer = number.strip()[:100], issuer.strip()[:200]
    certificate.valid_until, certificate.custodian = valid_until, custodian
    certificate.remarks = (remarks or "").strip()
    if scan is not None:
        _store_scan(certificate, scan)
    certificate.save()
    return certificate


@transaction.atomic
def certificate_register(
    *,
    user,
    kind: str,
    name: str,
    number: str,
    issuer: str,
    valid_until: date | None,
    custodian,
    remarks: str = "",
    scan=None,
) -> Certificate:
    _require_archivist(user, _("Only archivists register certificates."))
    return _describe_certificate(
        Certificate(),
        kind=kind,
        name=name,
        number=number,
        issuer=issuer,
        valid_until=valid_until,
        custodian=custodian,
        remarks=remarks,
        scan=scan,
    )


@transaction.atomic
def certificate_update(
    *,
    user,
    certificate_id: int,
    kind: str,
    name: str,
    number: str,
    issuer: str,
    valid_until: date | None,
    custodian,
    remarks: str = "",
    scan=None,
) -> Certificate:
    _require_archivist(user, _("Only archivists edit certificates."))
    certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
    if certificate is None:
        raise ArchiveError(_("No such certificate."))
    return _describe_certificate(
        certificate,
        kind=kind,
        name=name,
        number=number,
        issuer=issuer,
        valid_until=valid_until,
        custodian=custodian,
        remarks=remarks,
        scan=scan,
    )


def _may_handle_certificate(user, certificate: Certificate) -> bool:
    from archives.selectors import is_archivist

    return certificate.custodian_id == user.pk or is_archivist(user)


@transaction.atomic
def certificate_lend(
    *, user, certificate_id: int, borrower, purpose: str, due_on: date | None
) -> CertificateLoan:
    """The paper original goes out; a certificate already out cannot go out again."""
    certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
    if certificate is None or not _may_handle_certificate(user, certificate):
        raise ArchiveError(_("No such certificate."))
    out = certificate.loans.filter(returned_at=None).select_related("borrower").first()
    if out is not None:
        raise ArchiveError(
            _("This certificate is lent to %(who)s until %(due)s; it must come back first.")
            % {"who": out.borrower, "due": f"{out.due_on:%Y-%m-%d}"}
        )
    if borrower is None or not borrower.is_active:
        raise ArchiveError(_("Name an active user as the borrower."))
    if not (purpose or "").strip():
        raise ArchiveError(_("Say what the certificate is borrowed for."))
    if due_on is None or due_on < timezone.localdate():
        raise ArchiveError(_("The due date cannot be in the past."))
    try:
        with transaction.atomic():
            return CertificateLoan.objects.create(
                certificate=certificate,
                borrower=borrower,
                purpose=purpose.strip()[:300],
                due_on=due_on,
                lent_by=user,
            )
    except IntegrityError as exc:  # lent by someone else in the same instant
        raise ArchiveError(_("This certificate is lent already.")) from exc


@transaction.atomic
def certificate_return(*, user, loan_id: int) -> CertificateLoan:
    loan = (
        CertificateLoan.objects.select_for_update()
        .select_related("certificate")
        .filter(pk=loan_id)
        .first()
    )
    if loan is None or not _may_handle_certificate(user, loan.certificate):
        raise ArchiveError(_("No such loan."))
    if loan.returned_at is not None:
        raise ArchiveError(_("This certificate has been returned already."))
    loan.returned_at, loan.returned_to = timezone.now(), user
    loan.save(update_fields=["returned_at", "returned_to"])
    return loan


def certificates_remind(*, today: date | None = None) -> int:
    """60, 30 and 7 days before a certificate expires, its custodian and the archivists hear of
    it, once per certificate, threshold and expiry date (a unique log row). A certificate first
    seen inside a window gets that window's reminder only."""
    from archives.selectors import archivist_ids
    from hall.notifications import notify

    today = today or timezone.localdate()
    widest = max(CERTIFICATE_REMINDER_DAYS)
    due = list(
        Certificate.objects.filter(
            valid_until__gte=today, valid_until__lte=today + timedelta(days=widest)
        ).order_by("valid_until", "pk")
    )
    if not due:
        return 0
    done = set(
        CertificateReminder.objects.filter(certificate__in=due).values_list(
            "certificate_id", "days", "valid_until"
        )
    )
    archivists, sent = None, 0
    for certificate in due:
        left = (certificate.valid_until - today).days
        days = min(d for d in CERTIFICATE_REMINDER_DAYS if d >= left)
        if (certificate.pk, days, certificate.valid_until) in done:
            continue
        archivists = archivists if archivists is not None else archivist_ids()
        try:
            with transaction.atomic():
                CertificateReminder.objects.create(
                    certificate=certificate, days=days, valid_until=certificate.valid_until
                )
                notify(
                    recipients=[certificate.custodian_id, *archivists],
                    kind="reminder",
                    subject=f"资质证书 {certificate.name}（{certificate.number}）"
                    f"将于 {certificate.valid_until:%Y-%m-%d} 到期，还有 {left} 天",
                    subject_en=f"Certificate {certificate.name} ({certificate.number}) expires "
                    f"on {certificate.valid_until:%Y-%m-%d}, in {left} days",
                    url=certificate.get_absolute_url(),
                )
        except IntegrityError:
            continue  # another worker sent it
        sent += 1
    return sent
