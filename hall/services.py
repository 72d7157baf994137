"""Writes of the catalogue: favourites, popularity, the log of searches that found nothing."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext as _

from hall.models import (
    Department,
    Favourite,
    SearchMiss,
    Service,
    ServiceContact,
    ServiceField,
    ServiceStep,
    User,
)
from hall.search import MAX_QUERY_LENGTH, normalize


@transaction.atomic
def favourite_toggle(*, user: User, service: Service) -> bool:
    """Adds or removes the service from the user's favourites; True when it is now a favourite."""
    deleted, _ = Favourite.objects.filter(user=user, service=service).delete()
    if deleted:
        return False
    Favourite.objects.get_or_create(user=user, service=service)
    return True


logger = logging.getLogger(__name__)

# A guide's views, counted in Redis (HINCRBY of one hash: no row lock, no commit to wait for on
# every view) and added to the services' popularity by popularity_fold every minute. Without
# Redis (the embedded default) or while it is away, a view updates its row at once.
VIEWS_KEY = "hall:views"
FOLDING_KEY = "hall:views:folding"
FOLD_LOCK_KEY = "hall:views:lock"
FOLD_BATCH = 500


def _redis():
    """The cache's own Redis client, or None when the cache is not Redis."""
    if "django_redis" not in settings.CACHES["default"]["BACKEND"]:
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def service_viewed(*, service: Service) -> None:
    client = _redis()
    if client is not None:
        try:
            client.hincrby(VIEWS_KEY, str(service.pk), 1)
            return
        except Exception:  # noqa: BLE001 - Redis away: the row takes the view itself
            logger.warning("redis unavailable: view of service %s written to its row", service.pk)
    Service.objects.filter(pk=service.pk).update(popularity=F("popularity") + 1)


def popularity_fold() -> int:
    """Adds the views counted in Redis to the services' popularity; returns how many services
    moved. The views of the last minute are renamed aside first, so views arriving meanwhile
    start a new hash; the aside hash is deleted only after the commit, and a fold that stopped
    before it (the worker died) is finished by the next one; one that died between its commit
    and that delete adds its minute twice (popularity orders the catalogue; it is not a ledger).
    One fold at a time (a lock of a minute); a second one meanwhile does nothing."""
    client = _redis()
    if client is None:
        return 0
    try:
        if not client.set(FOLD_LOCK_KEY, "1", nx=True, ex=60):
            return 0
        if not client.exists(FOLDING_KEY):
            if not client.exists(VIEWS_KEY):  # a minute without views
                client.delete(FOLD_LOCK_KEY)
                return 0
            # Only a fold renames or deletes the hash, under the lock: it is still there.
            client.rename(VIEWS_KEY, FOLDING_KEY)
        counted = client.hgetall(FOLDING_KEY)
    except Exception as exc:  # noqa: BLE001 - Redis away: nothing to fold until it is back
        logger.warning("redis unavailable: popularity not folded (%s)", exc)
        return 0
    views = {int(pk): int(n) for pk, n in counted.items() if int(n) > 0}
    ids = sorted(views)
    with transaction.atomic():
        for start in range(0, len(ids), FOLD_BATCH):
            batch = ids[start : start + FOLD_BATCH]
            added = Case(*(When(pk=pk, then=Value(views[pk])) for pk in batch), default=Value(0))
            Service.objects.filter(pk__in=batch).update(popularity=F("popularity") + added)
        transaction.on_commit(lambda: client.delete(FOLDING_KEY, FOLD_LOCK_KEY))
    return len(ids)


def search_miss_record(*, query: str) -> None:
    query = normalize(query)[:MAX_QUERY_LENGTH]
    if not query:
        return
    updated = SearchMiss.objects.filter(query=query).update(count=F("count") + 1)
    if updated:
        return
    try:
        with transaction.atomic():
            SearchMiss.objects.create(query=query)
    except IntegrityError:
        # Another request logged the same words between our update and insert.
        SearchMiss.objects.filter(query=query).update(count=F("count") + 1)


# --- a service's form, chain and contacts, as plain data (admin import and demo data) -------

FIELD_KEYS = (
    "key",
    "label_zh",
    "label_en",
    "field_type",
    "required",
    "help_text",
    "help_text_en",
    "options",
    "validation",
    "prefill",
)
STEP_KEYS = (
    "name_zh",
    "name_en",
    "rule",
    "approver",
    "department",
    "role_code",
    "field_key",
    "mode",
    "quorum",
    "condition_field",
    "condition_operator",
    "condition_value",
    "time_limit_days",
)
CONTACT_KEYS = ("name", "phone", "email", "office", "office_en", "hours", "hours_en")


def _items(value, what: str) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationError(_("%(what)s must be a list of objects.") % {"what": what})
    return value


def _unknown_keys(item: dict, allowed: tuple[str, ...], what: str, number: int) -> None:
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        raise ValidationError(
            _("%(what)s %(n)d: unknown keys %(keys)s.")
            % {"what": what, "n": number, "keys": ", ".join(unknown)}
        )


def _first_errors(exc: ValidationError, what: str, number: int) -> ValidationError:
    parts = [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
    return ValidationError(
        _("%(what)s %(n)d: %(errors)s") % {"what": what, "n": number, "errors": "; ".join(parts)}
    )


def service_parts_check(
    *, fields: list | None, steps: list | None, contacts: list | None
) -> tuple[list[ServiceField], list[ServiceStep], list[ServiceContact]]:
    """Builds unsaved rows from plain data, or raises ValidationError saying what is wrong."""
    built_fields, built_steps, built_contacts = [], [], []
    keys_seen = set()
    for number, item in enumerate(_items(fields, _("Form fields")), start=1):
        _unknown_keys(item, FIELD_KEYS, _("Field"), number)
        row = ServiceField(order=number, **item)
        try:
            row.full_clean(exclude=["service"])
        except ValidationError as exc:
            raise _first_errors(exc, _("Field"), number) from None
        if row.key in keys_seen:
            raise ValidationError(
                _("Field %(n)d: the key %(key)s is used twice.") % {"n": number, "key": row.key}
            )
        keys_seen.add(row.key)
        built_fields.append(row)

    usernames = {i.get("approver") for i in _items(steps, _("Steps")) if i.get("approver")}
    dept_codes = {i.get("department") for i in _items(steps, _("Steps")) if i.get("department")}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    departments = {d.code: d for d in Department.objects.filter(code__in=dept_codes)}
    for number, item in enumerate(_items(steps, _("Steps")), start=1):
        _unknown_keys(item, STEP_KEYS, _("Step"), number)
        item = dict(item)
        username, dept_code = item.pop("approver", None), item.pop("department", None)
        if username and username not in users:
            raise ValidationError(_("Step %(n)d: no user %(u)s.") % {"n": number, "u": username})
        if dept_code and dept_code not in departments:
            raise ValidationError(
                _("Step %(n)d: no department %(d)s.") % {"n": number, "d": dept_code}
            )
        row = ServiceStep(
            order=number,
            approver=users.get(username),
            department=departments.get(dept_code),
            **{k: ("" if v is None and k not in ("quorum",) else v) for k, v in item.items()},
        )
        try:
            row.full_clean(exclude=["service"])
        except ValidationError as exc:
            raise _first_errors(exc, _("Step"), number) from None
        if row.rule == ServiceStep.Rule.FORM_FIELD and row.field_key not in keys_seen:
            raise ValidationError(
                _("Step %(n)d: the form has no field %(key)s.")
                % {"n": number, "key": row.field_key}
            )
        built_steps.append(row)

    for number, item in enumerate(_items(contacts, _("Contacts")), start=1):
        _unknown_keys(item, CONTACT_KEYS, _("Contact"), number)
        row = ServiceContact(order=number, **item)
        try:
            row.full_clean(exclude=["service"])
        except ValidationError as exc:
            raise _first_errors(exc, _("Contact"), number) from None
        built_contacts.append(row)
    return built_fields, built_steps, built_contacts


@transaction.atomic
def service_parts_replace(
    *, service: Service, fields: list | None, steps: list | None, contacts: list | None
) -> None:
    """Replaces the service's form fields, chain and contacts with the given plain data.

    Running requests keep the chain they snapshotted at submission, so replacing is safe.
    """
    built_fields, built_steps, built_contacts = service_parts_check(
        fields=fields, steps=steps, contacts=contacts
    )
    for model, rows in (
        (ServiceField, built_fields),
        (ServiceStep, built_steps),
        (ServiceContact, built_contacts),
    ):
        model.objects.filter(service=service).delete()
        for row in rows:
            row.service = service
        model.objects.bulk_create(rows)
