"""Evaluation (考核): a mid-year or annual evaluation of every unit with an approved plan.

The self-score is computed from the plan's indicators, each by its scoring rule (never typed
in); the office adds bonus and penalty items and may veto (一票否决), which caps the grade; the
office's reviewer scores every unit and the committee gives the final score. Ranking and grades
follow, with a quota of excellent grades (at most ``quota_excellent`` % of the units): the
units above the quota are rated good and the page says so. The results are approved through a
catalogue chain (internal service ``performance-evaluation``), then exported to Excel and filed in
the archives by a Celery task after commit (``performance.evaluation:<pk>``, filed once).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import Department, ServiceField, ServiceStep, User
from performance import plans
from performance.models import (
    EntryItem,
    Evaluation,
    EvaluationEntry,
    Grade,
    Indicator,
    Plan,
    PlanLine,
    ScoreItem,
)
from performance.services import OFFICE_ROLE, SupervisionError, is_office
from workflows import handoffs
from workflows.models import ServiceRequest

SERVICE = "performance-evaluation"
HUNDRED = Decimal(100)
ZERO = Decimal(0)
CENT = Decimal("0.01")
MAX_BONUS = Decimal(10)
MAX_PENALTY = Decimal(20)
# Grades from the best down, with the least score each needs.
GRADES = [(Grade.EXCELLENT, Decimal(90)), (Grade.GOOD, Decimal(75)), (Grade.PASS, Decimal(60))]
ORDER = [Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL]
PERIOD_ZH = {"mid": "年中", "annual": "年度"}


class EvaluationError(SupervisionError):
    pass


# --- scoring: pure functions ---------------------------------------------------------------


def attainment(progress: Decimal, expected: Decimal) -> Decimal:
    """The share (0..100) of what was expected by now that is reached."""
    if expected <= 0:
        return HUNDRED
    return min(HUNDRED, max(ZERO, Decimal(progress) * HUNDRED / Decimal(expected)))


def line_score(*, rule: str, weight: int, reached: Decimal, marks: list[Decimal]) -> Decimal:
    """An indicator's marks (0..weight) by its scoring rule, from the share reached (0..100).

    linear: in proportion, capped at the weight; threshold: all at 100 %, nothing below;
    milestones: a quarter of the weight per milestone of the year reached (``marks``, 4 of them);
    grade map: all from 90 %, 80 % of it from 75 %, 60 % from 60 %, nothing below."""
    weight = Decimal(weight)
    reached = min(HUNDRED, max(ZERO, Decimal(reached)))
    if rule == Indicator.Rule.THRESHOLD:
        share = Decimal(1) if reached >= HUNDRED else ZERO
    elif rule == Indicator.Rule.MILESTONES:
        share = Decimal(sum(1 for mark in marks if reached >= mark)) / Decimal(len(marks) or 1)
    elif rule == Indicator.Rule.GRADE_MAP:
        share = next(
            (s for floor, s in ((90, "1"), (75, "0.8"), (60, "0.6")) if reached >= floor), "0"
        )
        share = Decimal(share)
    else:
        share = reached / HUNDRED
    return (weight * share).quantize(CENT, rounding=ROUND_HALF_UP)


def total_score(parts, bonus: Decimal = ZERO, penalty: Decimal = ZERO) -> Decimal:
    """The indicators' marks plus bonus minus penalty, within 0..100."""
    total = sum((Decimal(p) for p in parts), ZERO) + Decimal(bonus) - Decimal(penalty)
    return min(HUNDRED, max(ZERO, total)).quantize(CENT)


def veto_cap() -> str:
    return getattr(settings, "HALL_EVALUATION_VETO_CAP", Grade.FAIL)


def grade_of(score: Decimal, veto: bool = False) -> str:
    """The grade a score earns; a veto caps it (at 不合格 unless settings say otherwise)."""
    grade = next((g for g, floor in GRADES if Decimal(score) >= floor), Grade.FAIL)
    if veto:
        cap = veto_cap()
        grade = max(grade, cap, key=ORDER.index)
    return grade


def quota_of(n: int, quota_pct: int) -> int:
    """How many of n units may be rated excellent."""
    return (n * quota_pct) // 100


@dataclass
class Ranked:
    rank: int
    grade: str
    demoted: bool  # earned excellent by score, rated good by the quota


def rank_and_grade(scores: list[tuple[int, Decimal, bool]], quota_pct: int) -> dict[int, Ranked]:
    """Ranks (equal scores share a rank; a vetoed unit ranks after every other) and grades,
    the best first; excellent grades beyond the quota go, lowest ranked first, to good."""
    ordered = sorted(scores, key=lambda s: (bool(s[2]), -Decimal(s[1]), s[0]))
    allowed = quota_of(len(ordered), quota_pct)
    result, given, previous, rank = {}, 0, None, 0
    for position, (key, score, veto) in enumerate(ordered, start=1):
        if (veto, score) != previous:
            rank, previous = position, (veto, score)
        grade = grade_of(score, veto)
        demoted = False
        if grade == Grade.EXCELLENT:
            if given < allowed:
                given += 1
            else:
                grade, demoted = Grade.GOOD, True
        result[key] = Ranked(rank=rank, grade=grade, demoted=demoted)
    return result


# --- who may see ----------------------------------------------------------------------------


def visible_evaluations(user: User) -> QuerySet[Evaluation]:
    """The office sees every evaluation; a committee member the ones they score."""
    if not user.is_authenticated:
        return Evaluation.objects.none()
    if is_office(user):
        return Evaluation.objects.all()
    return Evaluation.objects.filter(committee=user)


def evaluation_for(user: User, pk: int) -> Evaluation | None:
    return visible_evaluations(user).filter(pk=pk).first()


def is_committee(user: User, evaluation: Evaluation) -> bool:
    return evaluation.committee.filter(pk=user.pk).exists()


# --- the self-score of one plan --------------------------------------------------------------


def _marks(indicator: Indicator) -> list[Decimal]:
    return [plans.expected_at(indicator, q) for q in (1, 2, 3, 4)]


def breakdown(plan: Plan, period: str) -> list[dict]:
    """Each indicator of the plan with its progress, the share of the period's expectation
    reached and its marks by its rule."""
    rows = []
    for line in PlanLine.objects.filter(plan=plan).select_related("indicator").order_by("pk"):
        marks = _marks(line.indicator)
        expected = marks[1] if period == Evaluation.Period.MID_YEAR else HUNDRED
        progress = line.progress or ZERO
        reached = attainment(progress, expected)
        rows.append(
            {
                "line": line,
                "progress": progress,
                "expected": expected,
                "reached": reached.quantize(CENT),
                "score": line_score(
                    rule=line.indicator.rule, weight=line.weight, reached=reached, marks=marks
                ),
            }
        )
    return rows


def _self_scores(evaluation: Evaluation) -> dict[int, Decimal]:
    """Every plan's indicator marks summed, in two queries for all the plans."""
    sums: dict[int, Decimal] = {}
    lines = PlanLine.objects.filter(
        plan__in=EvaluationEntry.objects.filter(evaluation=evaluation).values("plan")
    ).select_related("indicator")
    for line in lines:
        marks = _marks(line.indicator)
        expected = marks[1] if evaluation.period == Evaluation.Period.MID_YEAR else HUNDRED
        reached = attainment(line.progress or ZERO, expected)
        sums[line.plan_id] = sums.get(line.plan_id, ZERO) + line_score(
            rule=line.indicator.rule, weight=line.weight, reached=reached, marks=marks
        )
    return sums


def _settle(evaluation: Evaluation, *, recompute: bool = False) -> None:
    """Final scores, ranks and grades of every entry (the committee's score, else the
    reviewer's, else the self-score)."""
    entries = list(evaluation.entries.all())
    sums = _self_scores(evaluation) if recompute else {}
    for entry in entries:
        if recompute:
            entry.self_score = total_score(
                [sums.get(entry.plan_id, ZERO)], entry.bonus, entry.penalty
            )
        given = entry.committee_score if entry.committee_score is not None else entry.reviewer_score
        entry.final_score = entry.self_score if given is None else Decimal(given)
    ranked = rank_and_grade(
        [(e.pk, e.final_score, e.veto) for e in entries], evaluation.quota_excellent
    )
    for entry in entries:
        entry.rank, entry.grade = ranked[entry.pk].rank, ranked[entry.pk].grade
    EvaluationEntry.objects.bulk_update(
        entries, ["self_score", "final_score", "rank", "grade"], batch_size=500
    )


def demoted(evaluation: Evaluation) -> int:
    """How many units scored excellent but were rated good by the quota."""
    entries = list(evaluation.entries.values_list("pk", "final_score", "veto"))
    return sum(1 for r in rank_and_grade(entries, evaluation.quota_excellent).values() if r.demoted)


# --- writes ---------------------------------------------------------------------------------


def _check_office(user: User) -> None:
    if not is_office(user):
        raise EvaluationError(_("Only the office runs evaluations."))


@transaction.atomic
def evaluation_open(
    *, user: User, year: int, period: str, quota: int = 30, committee: list[int] | None = None
) -> Evaluation:
    """An evaluation of every unit whose plan of the year is approved, self-scores computed."""
    _check_office(user)
    if period not in Evaluation.Period.values:
        raise EvaluationError(_("Choose mid-year or annual."))
    if not 0 <= quota <= 100:
        raise EvaluationError(_("The excellent quota is a share from 0 to 100 %."))
    if Evaluation.objects.filter(year=year, period=period).exists():
        raise EvaluationError(_("This evaluation is already open."))
    approved = list(Plan.objects.filter(year=year, status=Plan.Status.APPROVED).order_by("pk"))
    if not approved:
        raise EvaluationError(_("No plan of that year is approved yet."))
    evaluation = Evaluation.objects.create(
        year=year, period=period, quota_excellent=quota, created_by=user
    )
    if committee:
        evaluation.committee.set(User.objects.filter(pk__in=committee, is_active=True))
    EvaluationEntry.objects.bulk_create(
        [EvaluationEntry(evaluation=evaluation, plan=p, unit_id=p.unit_id) for p in approved]
    )
    _settle(evaluation, recompute=True)
    return evaluation


def _locked(evaluation_id: int) -> Evaluation:
    return Evaluation.objects.select_for_update().get(pk=evaluation_id)


def _entry(evaluation: Evaluation, entry_id: int) -> EvaluationEntry:
    entry = evaluation.entries.select_related("unit").filter(pk=entry_id).first()
    if entry is None:
        raise EvaluationError(_("No such unit in this evaluation."))
    return entry


def _check_scoring(evaluation: Evaluation) -> None:
    if evaluation.status != Evaluation.Status.SCORING:
        raise EvaluationError(_("The results are no longer open for scoring."))


def _score(value, label: str) -> Decimal:
    try:
        score = Decimal(str(value)).quantize(CENT)
    except ArithmeticError:
        score = None
    if score is None or not score.is_finite() or not ZERO <= score <= HUNDRED:
        raise EvaluationError(_("%(what)s is a score from 0 to 100.") % {"what": label})
    return score


@transaction.atomic
def evaluation_recompute(*, user: User, evaluation_id: int) -> Evaluation:
    """Self-scores again from the plans' latest check-ins."""
    _check_office(user)
    evaluation = _locked(evaluation_id)
    _check_scoring(evaluation)
    _settle(evaluation, recompute=True)
    return evaluation


def _item_totals(entry: EvaluationEntry) -> tuple[Decimal, Decimal]:
    bonus, penalty = ZERO, ZERO
    for kind, points in entry.items.values_list("kind", "points"):
        if kind == ScoreItem.Kind.BONUS:
            bonus += points
        else:
            penalty += points
    return bonus, penalty


def _settle_items(evaluation: Evaluation, entry: EvaluationEntry) -> EvaluationEntry:
    entry.bonus, entry.penalty = _item_totals(entry)
    entry.save(update_fields=["bonus", "penalty"])
    _settle(evaluation, recompute=True)
    entry.refresh_from_db()
    return entry


@transaction.atomic
def entry_item_add(
    *,
    user: User,
    evaluation_id: int,
    entry_id: int,
    item_id: int,
    note: str,
    evidence=None,
) -> EntryItem:
    """The office applies a catalogue item (bonus or penalty) to one unit, with a note and,
    where the item asks for it, an evidence file; the unit's bonus and penalty are the sums
    of its items (at most MAX_BONUS and MAX_PENALTY points) and the scores are settled."""
    _check_office(user)
    evaluation = _locked(evaluation_id)
    _check_scoring(evaluation)
    entry = _entry(evaluation, entry_id)
    item = ScoreItem.objects.filter(pk=item_id, active=True).first()
    if item is None:
        raise EvaluationError(_("Choose an item of the catalogue."))
    note = (note or "").strip()
    if not note:
        raise EvaluationError(_("Say what the item is given for."))
    if item.evidence_required and not evidence:
        raise EvaluationError(_("This item needs an evidence file."))
    bonus, penalty = _item_totals(entry)
    if item.kind == ScoreItem.Kind.BONUS and bonus + item.points > MAX_BONUS:
        raise EvaluationError(_("Bonuses total at most %(n)s points.") % {"n": MAX_BONUS})
    if item.kind == ScoreItem.Kind.PENALTY and penalty + item.points > MAX_PENALTY:
        raise EvaluationError(_("Penalties total at most %(n)s points.") % {"n": MAX_PENALTY})
    picked = EntryItem(
        entry=entry, item=item, kind=item.kind, points=item.points, note=note[:500], added_by=user
    )
    if evidence:
        picked.evidence = evidence
    picked.save()
    _settle_items(evaluation, entry)
    return picked


@transaction.atomic
def entry_item_remove(
    *, user: User, evaluation_id: int, entry_id: int, picked_id: int
) -> EvaluationEntry:
    _check_office(user)
    evaluation = _locked(evaluation_id)
    _check_scoring(evaluation)
    entry = _entry(evaluation, entry_id)
    deleted, _rows = EntryItem.objects.filter(entry=entry, pk=picked_id).delete()
    if not deleted:
        raise EvaluationError(_("No such item on this unit."))
    return _settle_items(evaluation, entry)


@transaction.atomic
def entry_veto_set(
    *, user: User, evaluation_id: int, entry_id: int, veto: bool, veto_reason: str = ""
) -> EvaluationEntry:
    """The veto item (一票否决) of one unit (the office): it caps the grade."""
    _check_office(user)
    evaluation = _locked(evaluation_id)
    _check_scoring(evaluation)
    entry = _entry(evaluation, entry_id)
    if veto and not (veto_reason or "").strip():
        raise EvaluationError(_("Say which veto item applies."))
    entry.veto, entry.veto_reason = veto, (veto_reason or "").strip()[:300] if veto else ""
    entry.save(update_fields=["veto", "veto_reason"])
    _settle(evaluation, recompute=True)
    entry.refresh_from_db()
    return entry


@transaction.atomic
def entry_review(*, user: User, evaluation_id: int, entry_id: int, score) -> EvaluationEntry:
    """The office's reviewer scores one unit."""
    _check_office(user)
    evaluation = _locked(evaluation_id)
    _check_scoring(evaluation)
    entry = _entry(evaluation, entry_id)
    entry.reviewer_score = _score(score, _("The reviewer's score"))
    entry.reviewer = user
    entry.save(update_fields=["reviewer_score", "reviewer"])
    _settle(evaluation)
    entry.refresh_from_db()
    return entry


@transaction.atomic
def entry_committee(*, user: User, evaluation_id: int, entry_id: int, score) -> EvaluationEntry:
    """A member of the evaluation's committee gives one unit its final score."""
    evaluation = _locked(evaluation_id)
    if not is_committee(user, evaluation):
        raise EvaluationError(_("Only the committee gives the final score."))
    _check_scoring(evaluation)
    entry = _entry(evaluation, entry_id)
    entry.committee_score = _score(score, _("The committee's score"))
    entry.save(update_fields=["committee_score"])
    _settle(evaluation)
    entry.refresh_from_db()
    return entry


# --- the approval of the results through the catalogue chain ---------------------------------

FIELDS = [
    ("evaluation", "考核编号", "Evaluation", ServiceField.Type.TEXT),
    ("title", "考核", "Evaluation", ServiceField.Type.TEXT),
    ("summary", "结果概要", "Summary", ServiceField.Type.LONG_TEXT),
    ("approver", "审核人", "Approver", ServiceField.Type.TEXT),
]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _summary(evaluation: Evaluation) -> str:
    counts = {g: 0 for g in Grade.values}
    for grade in evaluation.entries.values_list("grade", flat=True):
        counts[grade] = counts.get(grade, 0) + 1
    labels = dict(Grade.choices)
    return "；".join(f"{labels[g]} {counts[g]}" for g in Grade.values)


def check_submittable(evaluation: Evaluation) -> None:
    if evaluation.status != Evaluation.Status.SCORING:
        raise EvaluationError(_("The results are no longer open for scoring."))
    missing = evaluation.entries.filter(reviewer_score__isnull=True).count()
    if missing:
        raise EvaluationError(
            _("Every unit needs the reviewer's score before the results go for approval;")
            + " "
            + _("%(n)d missing.") % {"n": missing}
        )
    entries = list(evaluation.entries.values_list("pk", "final_score", "veto"))
    excellent = evaluation.entries.filter(grade=Grade.EXCELLENT).count()
    allowed = quota_of(len(entries), evaluation.quota_excellent)
    if excellent > allowed:  # grades are settled within the quota; a stale row is refused
        raise EvaluationError(
            _("At most %(allowed)d of %(n)d units may be rated excellent (%(quota)d %%).")
            % {"allowed": allowed, "n": len(entries), "quota": evaluation.quota_excellent}
        )


def form_data(user: User, post: dict) -> dict:
    evaluation = Evaluation.objects.filter(pk=_int(post.get("evaluation"))).first()
    if evaluation is None or not is_office(user):
        raise handoffs.HandoffError(_("No such evaluation."))
    try:
        check_submittable(evaluation)
    except EvaluationError as exc:
        raise handoffs.HandoffError(exc.message) from exc
    approver = _leader(user)
    return {
        "evaluation": str(evaluation.pk),
        "title": f"{evaluation.year}年{PERIOD_ZH[evaluation.period]}考核结果",
        "summary": _summary(evaluation),
        "approver": str(approver),
    }


def _leader(user: User) -> int:
    """The results are approved by a university leader (role ``leader``), else by another
    holder of the office role: never by the one who sends them."""
    from hall.models import Role

    for code in ("leader", OFFICE_ROLE):
        holders = Role.objects.filter(code=code).values_list("holders", flat=True)
        found = next((pk for pk in holders if pk is not None and pk != user.pk), None)
        if found is not None:
            return found
    raise handoffs.HandoffError(_("Nobody may approve the results: give a leader the role."))


def service():
    from hall.models import Service

    found = Service.objects.filter(code=SERVICE).first()
    if found is not None:
        return found
    office = Department.objects.filter(roles__code=OFFICE_ROLE).order_by("pk").first()
    office = office or Department.objects.order_by("pk").first()
    found = handoffs.internal_service(SERVICE, department=office)
    ServiceStep.objects.filter(service=found).update(
        rule=ServiceStep.Rule.FORM_FIELD, field_key="approver"
    )
    return found


@transaction.atomic
def evaluation_submit(*, user: User, evaluation_id: int) -> Evaluation:
    _check_office(user)
    evaluation = _locked(evaluation_id)
    check_submittable(evaluation)
    handoffs.start_chain(
        service=service,
        applicant=user,
        form_data=lambda: form_data(user, {"evaluation": str(evaluation.pk)}),
        refusal=EvaluationError,
    )
    evaluation.refresh_from_db()
    return evaluation


def _of(request: ServiceRequest) -> Evaluation | None:
    return (
        Evaluation.objects.select_for_update()
        .filter(pk=_int(request.form_data.get("evaluation")))
        .first()
    )


def chain_submitted(request: ServiceRequest) -> None:
    evaluation = _of(request)
    if evaluation is None or evaluation.status != Evaluation.Status.SCORING:
        raise EvaluationError(_("The results are no longer open for scoring."))
    evaluation.status, evaluation.request = Evaluation.Status.SUBMITTED, request
    evaluation.save(update_fields=["status", "request"])


def chain_approved(request: ServiceRequest) -> None:
    evaluation = _of(request)
    if evaluation is None or evaluation.status != Evaluation.Status.SUBMITTED:
        return
    evaluation.status = Evaluation.Status.APPROVED
    evaluation.save(update_fields=["status"])
    from performance import tasks

    pk = evaluation.pk
    transaction.on_commit(lambda: tasks.file_evaluation.delay(pk))


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    evaluation = _of(request)
    if evaluation is None or evaluation.status != Evaluation.Status.SUBMITTED:
        return
    evaluation.status = Evaluation.Status.SCORING
    evaluation.save(update_fields=["status"])


HANDOFF = handoffs.Handoff(
    submitted=chain_submitted,
    approved=chain_approved,
    ended=chain_ended,
    required_fields=("evaluation", "approver"),
    refusals=(EvaluationError,),
    form_data=form_data,
    default_service={
        "name_zh": "绩效考核结果审批",
        "name_en": "Approval of the evaluation results",
        "time_limit_days": 5,
        "fields": FIELDS,
        "steps": [("考核结果审定", "The results are approved", ServiceStep.Rule.APPLICANT_HEAD)],
    },
)


def register_all() -> None:
    handoffs.register(SERVICE, HANDOFF)


# --- results: Excel, and the filing in the archives ------------------------------------------


def results(evaluation: Evaluation) -> list[EvaluationEntry]:
    return list(evaluation.entries.select_related("unit").order_by("rank", "unit__code", "pk"))


def workbook(evaluation: Evaluation) -> bytes:
    """The results as an Excel sheet (Chinese headers: the archives keep it as it was issued)."""
    from django.utils import translation
    from openpyxl import Workbook

    with translation.override("zh-hans"):  # the grades in Chinese, as the headers
        labels = {k: str(v) for k, v in Grade.choices}
    book = Workbook()
    sheet = book.active
    sheet.title = f"{evaluation.year}考核结果"
    sheet.append(
        [
            "名次",
            "单位",
            "自评分",
            "加分",
            "减分",
            "一票否决",
            "审核评分",
            "考核委员会评分",
            "最终得分",
            "等次",
        ]
    )
    for e in results(evaluation):
        sheet.append(
            [
                e.rank,
                e.unit.name_zh,
                float(e.self_score),
                float(e.bonus),
                float(e.penalty),
                e.veto_reason if e.veto else "",
                None if e.reviewer_score is None else float(e.reviewer_score),
                None if e.committee_score is None else float(e.committee_score),
                float(e.final_score),
                str(labels.get(e.grade, e.grade)),
            ]
        )
    _items_sheet(book.create_sheet("加分减分项"), evaluation)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _items_sheet(sheet, evaluation: Evaluation) -> None:
    """The bonus and penalty items picked per unit, in the results' order: what the totals of
    the first sheet are made of (one query)."""
    sheet.append(["名次", "单位", "类别", "项目", "分值", "说明", "佐证材料"])
    kinds = {ScoreItem.Kind.BONUS: "加分", ScoreItem.Kind.PENALTY: "减分"}
    picked = (
        EntryItem.objects.filter(entry__evaluation=evaluation)
        .select_related("entry__unit", "item")
        .order_by("entry__rank", "entry__unit__code", "entry__pk", "kind", "pk")
    )
    for p in picked:
        sheet.append(
            [
                p.entry.rank,
                p.entry.unit.name_zh,
                kinds.get(p.kind, p.kind),
                p.item.name,
                float(p.points) if p.kind == ScoreItem.Kind.BONUS else -float(p.points),
                p.note,
                p.evidence.name.rsplit("/", 1)[-1] if p.evidence else "",
            ]
        )


def evaluation_file(*, evaluation_id: int):
    """Files the approved results in the archives; filing again gives the one record."""
    from archives.services import FilingPackage, record_file

    evaluation = Evaluation.objects.get(pk=evaluation_id)
    if evaluation.status != Evaluation.Status.APPROVED:
        return None
    title = f"{evaluation.year}年{PERIOD_ZH[evaluation.period]}绩效考核结果"
    with transaction.atomic():
        record = record_file(
            package=FilingPackage(
                title=title,
                date=timezone.localdate(),
                files=[(f"{title}.xlsx", workbook(evaluation))],
                source_ref=f"performance.evaluation:{evaluation.pk}",
                department_id=(
                    Department.objects.filter(roles__code=OFFICE_ROLE)
                    .values_list("pk", flat=True)
                    .first()
                ),
                responsible="绩效考核委员会",
                metadata={"units": evaluation.entries.count(), "summary": _summary(evaluation)},
            )
        )
        Evaluation.objects.filter(pk=evaluation.pk).update(archive_code=record.code)
    return record
