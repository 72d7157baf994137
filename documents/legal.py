"""Legal counsel (法律事务): contract reviews through a catalogue chain (the department head,
then the legal office), the counsel's opinions on numbered versions, the contract register with
expiry reminders, legal opinions on other matters, litigation with hearing reminders, and the
team's workload. Writes first, reads below; who may see what is decided here only."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import (
    Contract,
    ContractKind,
    ContractReview,
    Counsel,
    Hearing,
    LegalCase,
    LegalQuestion,
    ReviewOpinion,
    ReviewVersion,
)
from documents.services import DocumentError, _int, next_number
from hall.models import Identity, Role, ServiceField, ServiceStep, User
from hall.notifications import notify
from workflows import handoffs
from workflows.models import ServiceRequest
from workflows.reminders import once
from workflows.selectors import visible_requests

SERVICE = "documents-contract-review"
LEGAL_ROLE = "legal-office"
EXPIRY_DAYS = (7, 30)  # reminders before a contract's term ends, the nearest window first
HEARING_DAYS = (1, 3)
Status = ContractReview.Status
Verdict = ContractReview.Verdict
OPEN_REVIEW = (Status.REVIEWING, Status.REVISING)

FIELDS = [
    ("contract_review", "合同审查", "Contract review", ServiceField.Type.TEXT),
    ("contract", "合同名称", "Contract", ServiceField.Type.TEXT),
    ("counterparty", "相对方", "Counterparty", ServiceField.Type.TEXT),
    ("amount", "金额（元）", "Amount (yuan)", ServiceField.Type.TEXT),
]


# --- who is who --------------------------------------------------------------------------------


def is_legal_office(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or Role.objects.filter(holders=user, code=LEGAL_ROLE).exists()
    )


def counsel_of(user: User) -> Counsel | None:
    if not user.is_authenticated:
        return None
    return Counsel.objects.filter(user=user).first()


def legal_office_people() -> list[int]:
    return list(
        User.objects.filter(roles__code=LEGAL_ROLE, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def legal_department():
    role = Role.objects.filter(code=LEGAL_ROLE).select_related("department").first()
    return role.department if role else None


def _office_only(user: User) -> None:
    if not is_legal_office(user):
        raise DocumentError(_("Only the legal office does this."))


def _check_text(value: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value or "\x00" in value:
        raise DocumentError(message)
    return value[:limit]


# --- contract reviews: the chain -------------------------------------------------------------


def _form(review: ContractReview) -> dict:
    return {
        "contract_review": str(review.pk),
        "contract": review.title,
        "counterparty": review.counterparty,
        "amount": f"{review.amount}",
    }


def form_data(user: User, post: dict) -> dict:
    review = ContractReview.objects.filter(
        pk=_int(post.get("contract_review")), requester=user
    ).first()
    if review is None:
        raise handoffs.HandoffError(_("No such contract review."))
    return _form(review)


def _service(department):
    """The catalogue's contract-review service; on first use its chain is the requester's head
    and then the legal office (role ``legal-office``), which admins may change like any chain."""
    from hall.models import Service

    made = not Service.objects.filter(code=SERVICE).exists()
    service = handoffs.internal_service(SERVICE, department=department)
    if made:
        ServiceStep.objects.create(
            service=service,
            order=service.steps.count(),
            name_zh="法律事务室受理",
            name_en="Acceptance by the legal office",
            rule=ServiceStep.Rule.DEPARTMENT_ROLE,
            department=department,
            role_code=LEGAL_ROLE,
            time_limit_days=2,
        )
    return service


@transaction.atomic
def review_submit(
    *,
    user: User,
    title: str,
    counterparty: str,
    amount,
    kind: str,
    wanted_by: date,
    file,
    term_start: date | None = None,
    term_end: date | None = None,
) -> ContractReview:
    """Sends a contract for review: version 1 is the file; the chain starts at once."""
    if user.department_id is None or user.identity != Identity.STAFF:
        raise DocumentError(_("Only the staff of a department send contracts for review."))
    title = _check_text(title, _("Name the contract."), 200)
    counterparty = _check_text(counterparty, _("Name the counterparty."), 200)
    if amount is None or amount < 0:
        raise DocumentError(_("Give the amount (0 or more)."))
    if not file:
        raise DocumentError(_("Attach the contract's text (PDF or Word)."))
    if wanted_by < timezone.localdate():
        raise DocumentError(_("The wanted-by date cannot be in the past."))
    if term_start and term_end and term_end < term_start:
        raise DocumentError(_("The term ends before it starts."))
    department = legal_department()
    if department is None:
        raise DocumentError(_("No legal office is set up (a role “legal-office”)."))
    review = ContractReview.objects.create(
        title=title,
        counterparty=counterparty,
        amount=amount,
        kind=kind,
        wanted_by=wanted_by,
        term_start=term_start,
        term_end=term_end,
        department_id=user.department_id,
        requester=user,
    )
    ReviewVersion.objects.create(review=review, number=1, file=file, uploaded_by=user)
    handoffs.start_chain(
        service=lambda: _service(department),
        applicant=user,
        form_data=lambda: _form(review),
        refusal=DocumentError,
    )
    review.refresh_from_db()
    return review


def _review_of(request: ServiceRequest) -> ContractReview | None:
    return (
        ContractReview.objects.select_for_update()
        .filter(pk=_int(request.form_data.get("contract_review")))
        .first()
    )


def chain_submitted(request: ServiceRequest) -> None:
    review = _review_of(request)
    if review is None or review.requester_id != request.applicant_id:
        raise DocumentError(_("No such contract review."))
    review.request, review.status = request, Status.IN_CHAIN
    review.save(update_fields=["request", "status"])


def chain_approved(request: ServiceRequest) -> None:
    review = ContractReview.objects.filter(request=request, status=Status.IN_CHAIN).first()
    if review is None:
        return
    review.status = Status.TO_ASSIGN
    review.save(update_fields=["status"])
    notify(
        recipients=legal_office_people(),
        kind="task_arrived",
        subject=f"合同审查待分配：{review.title}",
        subject_en=f"Contract review to assign: {review.title}",
        url=review.get_absolute_url(),
    )


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    ContractReview.objects.filter(request=request, status=Status.IN_CHAIN).update(
        status=Status.REJECTED if rejected else Status.WITHDRAWN
    )


HANDOFF = handoffs.Handoff(
    submitted=chain_submitted,
    approved=chain_approved,
    ended=chain_ended,
    required_fields=("contract_review",),
    refusals=(DocumentError,),
    form_data=form_data,
    default_service={
        "name_zh": "合同审查",
        "name_en": "Contract review",
        "time_limit_days": 5,
        "fields": FIELDS,
        "steps": [
            ("部门负责人审核", "Check by the applicant's head", ServiceStep.Rule.APPLICANT_HEAD)
        ],
    },
)


def register_handoffs() -> None:
    handoffs.register(SERVICE, HANDOFF)


# --- contract reviews: the legal office and the counsel -------------------------------------


def _active_counsel(counsel: Counsel | None) -> Counsel:
    if counsel is None or not counsel.active:
        raise DocumentError(_("Pick a counsel of the team."))
    return counsel


@transaction.atomic
def review_assign(*, review_id: int, user: User, counsel: Counsel | None) -> ContractReview:
    _office_only(user)
    review = ContractReview.objects.select_for_update().get(pk=review_id)
    counsel = _active_counsel(counsel)
    if review.status not in (Status.TO_ASSIGN, *OPEN_REVIEW):
        raise DocumentError(_("Only a review accepted by the legal office gets a counsel."))
    review.counsel = counsel
    if review.status == Status.TO_ASSIGN:
        review.status = Status.REVIEWING
    review.save(update_fields=["counsel", "status"])
    if counsel.user_id:
        notify(
            recipients=[counsel.user_id],
            kind="task_arrived",
            subject=f"请审查合同：{review.title}",
            subject_en=f"Please review the contract: {review.title}",
            url=review.get_absolute_url(),
        )
    return review


CONTRACT_SERIES = "#contract"


def contract_number(year: int, seq: int) -> str:
    return f"HT{year}-{seq:04d}"


def _next_contract_number(day: date) -> str:
    """HT<year>-NNNN, without gaps per year: the documents' number counter, locked until the
    registering transaction ends (so two registrations at once get consecutive numbers)."""
    return contract_number(day.year, next_number(CONTRACT_SERIES, day.year))


def _register(review: ContractReview) -> Contract:
    # One contract per review: the review's row lock and the one-to-one key keep a second
    # closing from making another.
    return Contract.objects.create(
        number=_next_contract_number(timezone.localdate(review.closed_at)),
        title=review.title,
        parties=f"{review.department.name_zh}；{review.counterparty}",
        amount=review.amount,
        kind=review.kind,
        department_id=review.department_id,
        term_start=review.term_start,
        term_end=review.term_end,
        review=review,
    )


@transaction.atomic
def contract_enter(
    *,
    user: User,
    title: str,
    parties: str,
    amount: Decimal,
    kind: str,
    department,
    term_start: date,
    term_end: date,
    today: date | None = None,
) -> Contract:
    """Enters a contract in the register without a review here (signed before the hall, or
    reviewed elsewhere): numbered like the reviewed ones and reminded before its end alike."""
    _office_only(user)
    title = _check_text(title, _("Give the contract's name."), 200)
    parties = _check_text(parties, _("Name the parties."), 300)
    if amount is None or amount < 0:
        raise DocumentError(_("Give the amount (0 or more)."))
    if kind not in ContractKind.values:
        raise DocumentError(_("Choose the kind of contract."))
    if department is None:
        raise DocumentError(_("Choose the department the contract belongs to."))
    if term_start is None or term_end is None or term_end < term_start:
        raise DocumentError(_("The term ends on or after the day it starts."))
    today = today or timezone.localdate()
    expired = term_end < today
    return Contract.objects.create(
        number=_next_contract_number(today),
        title=title,
        parties=parties,
        amount=amount,
        kind=kind,
        department=department,
        term_start=term_start,
        term_end=term_end,
        status=Contract.Status.EXPIRED if expired else Contract.Status.ACTIVE,
    )


@transaction.atomic
def review_opinion(
    *,
    review_id: int,
    user: User,
    verdict: str,
    text: str,
    final: bool,
    file=None,
) -> ReviewOpinion:
    """The assigned counsel's opinion on the latest version; a final one closes the review and
    a final yes enters the contract in the register."""
    review = (
        ContractReview.objects.select_for_update(of=("self",))
        .select_related("counsel", "department")
        .get(pk=review_id)
    )
    if review.counsel is None or review.counsel.user_id != user.pk:
        raise DocumentError(_("Only the assigned counsel gives the opinion."))
    if review.status != Status.REVIEWING:
        raise DocumentError(_("The review is not waiting for an opinion."))
    if verdict not in Verdict.values:
        raise DocumentError(_("Choose agree, agree after changes or disagree."))
    text = _check_text(text, _("Write the opinion."), 10_000)
    if final and verdict != Verdict.DISAGREE and not (review.term_start and review.term_end):
        raise DocumentError(_("The contract's term is missing: the requester gives it first."))
    version = review.versions.order_by("-number").first()
    opinion = ReviewOpinion.objects.create(
        review=review,
        version=version,
        counsel=review.counsel,
        verdict=verdict,
        text=text,
        final=final,
    )
    if file:
        opinion.file = file
        opinion.save(update_fields=["file"])
    if final:
        review.status, review.verdict, review.closed_at = Status.CLOSED, verdict, timezone.now()
        review.save(update_fields=["status", "verdict", "closed_at"])
        if verdict != Verdict.DISAGREE:
            _register(review)
    else:
        review.status = Status.REVISING
        review.save(update_fields=["status"])
    notify(
        recipients=[review.requester_id],
        kind="request_finished" if final else "returned",
        subject=f"合同审查意见：{review.title}",
        subject_en=f"Legal opinion on the contract: {review.title}",
        url=review.get_absolute_url(),
    )
    return opinion


def may_revise(user: User, review: ContractReview) -> bool:
    return user.is_authenticated and review.requester_id == user.pk


@transaction.atomic
def review_revise(
    *,
    review_id: int,
    user: User,
    file,
    note: str = "",
    term_start: date | None = None,
    term_end: date | None = None,
) -> ReviewVersion:
    """The requester uploads a revised version (numbered, every one kept) back to the counsel."""
    review = ContractReview.objects.select_for_update(of=("self",)).get(pk=review_id)
    if not may_revise(user, review):
        raise DocumentError(_("Only the requester uploads a revised version."))
    if review.status != Status.REVISING:
        raise DocumentError(_("The counsel has not asked for a revision."))
    if not file:
        raise DocumentError(_("Attach the revised text (PDF or Word)."))
    start, end = term_start or review.term_start, term_end or review.term_end
    if start and end and end < start:
        raise DocumentError(_("The term ends before it starts."))
    number = (review.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ReviewVersion.objects.create(
        review=review, number=number, file=file, note=(note or "")[:300], uploaded_by=user
    )
    review.status, review.term_start, review.term_end = Status.REVIEWING, start, end
    review.save(update_fields=["status", "term_start", "term_end"])
    if review.counsel_id and review.counsel.user_id:
        notify(
            recipients=[review.counsel.user_id],
            kind="task_arrived",
            subject=f"合同修改稿第{number}版：{review.title}",
            subject_en=f"Revised version {number}: {review.title}",
            url=review.get_absolute_url(),
        )
    return version


# --- legal opinions on other matters ---------------------------------------------------------


@transaction.atomic
def question_ask(*, user: User, title: str, question: str) -> LegalQuestion:
    if user.department_id is None or user.identity != Identity.STAFF:
        raise DocumentError(_("Only the staff of a department ask for a legal opinion."))
    asked = LegalQuestion.objects.create(
        title=_check_text(title, _("Name the matter."), 200),
        question=_check_text(question, _("Write the question."), 10_000),
        department_id=user.department_id,
        requester=user,
    )
    notify(
        recipients=legal_office_people(),
        kind="task_arrived",
        subject=f"法律意见待分配：{asked.title}",
        subject_en=f"Legal opinion to assign: {asked.title}",
        url=asked.get_absolute_url(),
    )
    return asked


@transaction.atomic
def question_assign(*, question_id: int, user: User, counsel: Counsel | None) -> LegalQuestion:
    _office_only(user)
    question = LegalQuestion.objects.select_for_update().get(pk=question_id)
    counsel = _active_counsel(counsel)
    if question.status == LegalQuestion.Status.ANSWERED:
        raise DocumentError(_("The question is answered already."))
    question.counsel, question.status = counsel, LegalQuestion.Status.ASSIGNED
    question.save(update_fields=["counsel", "status"])
    if counsel.user_id:
        notify(
            recipients=[counsel.user_id],
            kind="task_arrived",
            subject=f"请出具法律意见：{question.title}",
            subject_en=f"Please give a legal opinion: {question.title}",
            url=question.get_absolute_url(),
        )
    return question


@transaction.atomic
def question_answer(*, question_id: int, user: User, answer: str) -> LegalQuestion:
    question = (
        LegalQuestion.objects.select_for_update(of=("self",))
        .select_related("counsel")
        .get(pk=question_id)
    )
    if question.counsel is None or question.counsel.user_id != user.pk:
        raise DocumentError(_("Only the assigned counsel answers."))
    if question.status != LegalQuestion.Status.ASSIGNED:
        raise DocumentError(_("The question is answered already."))
    question.answer = _check_text(answer, _("Write the answer."), 10_000)
    question.status, question.answered_at = LegalQuestion.Status.ANSWERED, timezone.now()
    question.save(update_fields=["answer", "status", "answered_at"])
    notify(
        recipients=[question.requester_id],
        kind="request_finished",
        subject=f"法律意见已出具：{question.title}",
        subject_en=f"Legal opinion given: {question.title}",
        url=question.get_absolute_url(),
    )
    return question


# --- litigation --------------------------------------------------------------------------------


@transaction.atomic
def case_open(*, user: User, data: dict) -> LegalCase:
    _office_only(user)
    for key, message in (
        ("case_number", _("Give the case number.")),
        ("court", _("Name the court.")),
        ("parties", _("Name the parties.")),
        ("cause", _("Give the cause of action.")),
    ):
        data[key] = _check_text(data.get(key), message, 300)
    if data.get("counsel") is not None:
        _active_counsel(data["counsel"])
    return LegalCase.objects.create(**data)


def _case_hands(user: User, case: LegalCase) -> None:
    if not (is_legal_office(user) or (case.counsel_id and case.counsel.user_id == user.pk)):
        raise DocumentError(_("Only the legal office or the case's counsel does this."))


@transaction.atomic
def hearing_add(
    *, case_id: int, user: User, at: datetime, place: str = "", note: str = ""
) -> Hearing:
    case = LegalCase.objects.select_related("counsel").get(pk=case_id)
    _case_hands(user, case)
    if case.status == LegalCase.Status.CLOSED:
        raise DocumentError(_("The case is closed."))
    if at <= timezone.now():
        raise DocumentError(_("The hearing must be in the future."))
    return Hearing.objects.create(
        case=case, at=at, place=(place or "")[:200], note=(note or "")[:300]
    )


@transaction.atomic
def case_status(*, case_id: int, user: User, status: str) -> LegalCase:
    case = (
        LegalCase.objects.select_for_update(of=("self",)).select_related("counsel").get(pk=case_id)
    )
    _case_hands(user, case)
    if status not in LegalCase.Status.values:
        raise DocumentError(_("Choose a status."))
    case.status = status
    case.closed_at = timezone.now() if status == LegalCase.Status.CLOSED else None
    case.save(update_fields=["status", "closed_at"])
    return case


# --- the team's roster (the legal office) -------------------------------------------------------

COUNSEL_FIELDS = ("name", "kind", "firm", "specialty", "phone", "active")


@transaction.atomic
def counsel_save(*, user: User, data: dict, counsel_id: int | None = None) -> Counsel:
    """Adds a counsel to the roster (``counsel_id`` None) or changes one: name, kind, firm,
    specialities, phone, whether active, and the hall account they work in (optional)."""
    _office_only(user)
    counsel = (
        Counsel() if counsel_id is None else Counsel.objects.select_for_update().get(pk=counsel_id)
    )
    data = {**data}
    data["name"] = _check_text(data.get("name", counsel.name), _("Give the counsel's name."), 100)
    if data.get("kind", counsel.kind) not in Counsel.Kind.values:
        raise DocumentError(_("Choose whether the counsel is internal or of the law firm."))
    account = data.pop("user", counsel.user)
    if account is not None and (
        Counsel.objects.filter(user=account).exclude(pk=counsel.pk).exists()
    ):
        raise DocumentError(_("That account already belongs to another counsel."))
    for name in COUNSEL_FIELDS:
        if name in data:
            setattr(counsel, name, data[name])
    counsel.user = account
    counsel.save()
    return counsel


@transaction.atomic
def counsel_remove(*, user: User, counsel_id: int) -> None:
    """Takes a counsel off the roster; one who has handled work stays (marked not active), so
    their reviews, opinions and cases keep their name."""
    _office_only(user)
    counsel = Counsel.objects.select_for_update().get(pk=counsel_id)
    worked = (
        ContractReview.objects.filter(counsel=counsel).exists()
        or LegalQuestion.objects.filter(counsel=counsel).exists()
        or LegalCase.objects.filter(counsel=counsel).exists()
        or ReviewOpinion.objects.filter(counsel=counsel).exists()
    )
    if worked:
        raise DocumentError(
            _("This counsel has handled work; mark them not active instead of removing them.")
        )
    counsel.delete()


# --- the tick: expiry and hearing reminders, exactly once --------------------------------------


def _window(days_left: int, windows: tuple[int, ...]) -> int | None:
    """The nearest reminder window the day falls in (a contract registered 5 days before its
    end is reminded once, at 7, not also at 30)."""
    return next((w for w in windows if days_left <= w), None)


def reminders_tick(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = {"contract_expiry": 0, "hearing": 0}
    office = legal_office_people()
    # A contract whose term has passed leaves the register's "in force" by itself.
    sent["contract_expired"] = Contract.objects.filter(
        status=Contract.Status.ACTIVE, term_end__lt=today
    ).update(status=Contract.Status.EXPIRED)
    contracts = (
        Contract.objects.filter(
            status=Contract.Status.ACTIVE,
            term_end__gte=today,
            term_end__lte=today + timedelta(days=max(EXPIRY_DAYS)),
        )
        .select_related("review")
        .order_by("term_end", "pk")[:1000]
    )
    for contract in contracts:
        window = _window((contract.term_end - today).days, EXPIRY_DAYS)
        key = f"{contract.pk}:{window}:{contract.term_end.isoformat()}"
        if window and once("documents.contract_expiry", key):
            to, named = set(office), f"{contract.number} {contract.title}"
            if contract.review_id:
                to.add(contract.review.requester_id)
            notify(
                recipients=to,
                kind="reminder",
                subject=f"合同将于{contract.term_end:%Y-%m-%d}到期：{named}",
                subject_en=f"Contract ends {contract.term_end:%Y-%m-%d}: {named}",
                url=_contract_url(contract),
            )
            sent["contract_expiry"] += 1
    zone = timezone.get_current_timezone()
    until = datetime.combine(
        today + timedelta(days=max(HEARING_DAYS) + 1), datetime.min.time(), zone
    )
    hearings = (
        Hearing.objects.filter(at__gt=now, at__lt=until)
        .select_related("case__counsel")
        .order_by("at", "pk")[:1000]
    )
    for hearing in hearings:
        window = _window((timezone.localdate(hearing.at) - today).days, HEARING_DAYS)
        key = f"{hearing.pk}:{window}:{hearing.at.isoformat()}"
        if window and once("documents.hearing", key):
            to = set(office)
            if hearing.case.counsel_id and hearing.case.counsel.user_id:
                to.add(hearing.case.counsel.user_id)
            local = hearing.at.astimezone(zone)
            notify(
                recipients=to,
                kind="reminder",
                subject=f"开庭提醒：{hearing.case.case_number}，{local:%Y-%m-%d %H:%M}",
                subject_en=f"Hearing: {hearing.case.case_number}, {local:%Y-%m-%d %H:%M}",
                url=hearing.case.get_absolute_url(),
            )
            sent["hearing"] += 1
    return sent


def _contract_url(contract: Contract) -> str:
    from django.urls import reverse

    if contract.review_id:
        return reverse("documents:legal-review", args=[contract.review_id])
    return reverse("documents:legal-contracts")


# --- reads: who may see what -----------------------------------------------------------------


def visible_reviews(user: User) -> QuerySet[ContractReview]:
    """The requesting department's staff, the chain (who may see its request), the legal
    office and the assigned counsel; everyone else nothing, so pages answer 404."""
    rows = ContractReview.objects.all()
    if not user.is_authenticated:
        return rows.none()
    if is_legal_office(user):
        return rows
    chain = Exists(visible_requests(user).filter(pk=OuterRef("request_id")))
    inside = Q(requester=user) | Q(counsel__user=user) | chain
    if user.department_id is not None and user.identity == Identity.STAFF:
        inside |= Q(department_id=user.department_id)
    return rows.filter(inside)


def review_for(user: User, pk: int) -> ContractReview | None:
    return (
        visible_reviews(user)
        .select_related("department", "requester", "counsel", "request")
        .filter(pk=pk)
        .first()
    )


def review_list(user: User, status: str = "") -> QuerySet[ContractReview]:
    rows = visible_reviews(user).select_related("department", "counsel")
    if status:
        rows = rows.filter(status=status)
    return rows.only(
        "id",
        "title",
        "counterparty",
        "amount",
        "kind",
        "wanted_by",
        "status",
        "created_at",
        "department__name_zh",
        "department__name_en",
        "counsel__name",
    ).order_by("-created_at", "-pk")


def visible_contracts(user: User) -> QuerySet[Contract]:
    rows = Contract.objects.all()
    if not user.is_authenticated:
        return rows.none()
    if is_legal_office(user):
        return rows
    inside = Q(review__counsel__user=user) | Q(review__requester=user)
    if user.department_id is not None and user.identity == Identity.STAFF:
        inside |= Q(department_id=user.department_id)
    return rows.filter(inside)


def contract_register(user: User) -> QuerySet[Contract]:
    return visible_contracts(user).select_related("department").order_by("term_end", "pk")


def visible_questions(user: User) -> QuerySet[LegalQuestion]:
    rows = LegalQuestion.objects.all()
    if not user.is_authenticated:
        return rows.none()
    if is_legal_office(user):
        return rows
    inside = Q(requester=user) | Q(counsel__user=user)
    if user.department_id is not None and user.identity == Identity.STAFF:
        inside |= Q(department_id=user.department_id)
    return rows.filter(inside)


def visible_cases(user: User) -> QuerySet[LegalCase]:
    """Litigation: the legal office, and each counsel the cases they handle."""
    rows = LegalCase.objects.all()
    if not user.is_authenticated:
        return rows.none()
    if is_legal_office(user):
        return rows
    return rows.filter(counsel__user=user)


def may_see_legal(user: User) -> bool:
    """Whether the legal pages' tabs for the team (cases, workload) show at all."""
    return is_legal_office(user) or counsel_of(user) is not None


def _count(model, field: str, **filters) -> Coalesce:
    rows = (
        model.objects.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def workload(*, year: int) -> QuerySet[Counsel]:
    """The roster with each counsel's open reviews, opinions and cases, and what they finished
    this year, in one query (a subquery per count, so the counts never multiply each other)."""
    return Counsel.objects.annotate(
        open_reviews=_count(ContractReview, "counsel", status__in=OPEN_REVIEW),
        open_questions=_count(LegalQuestion, "counsel", status=LegalQuestion.Status.ASSIGNED),
        open_cases=_count(LegalCase, "counsel", status__in=["filed", "trial", "judged"]),
        done_reviews=_count(ContractReview, "counsel", status=Status.CLOSED, closed_at__year=year),
        done_questions=_count(LegalQuestion, "counsel", answered_at__year=year),
        done_cases=_count(LegalCase, "counsel", closed_at__year=year),
    ).order_by("kind", "name", "pk")
