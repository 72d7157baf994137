"""Pages of the drafting tasks: the list, a task (text, versions, units' materials, the chain),
a unit's material page, the comparison of two versions."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from documents import drafting
from documents.forms import CompareForm
from documents.models import DraftingTask, Material
from documents.services import DocumentError
from hall import lists, params
from hall.models import Department
from hall.people import PeopleField
from hall.uploads import check_upload

PAGE_SIZE = 50


class TaskForm(forms.Form):
    office = forms.ModelChoiceField(label=gettext_lazy("Office in charge"), queryset=None)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DraftingTask.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    deadline = params.DateField(label=gettext_lazy("Deadline"), required=True)
    writers = PeopleField(label=gettext_lazy("Writers"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = drafting.offices_of(user).order_by("code")
        self.fields["deadline"].widget = forms.DateInput(attrs={"type": "date"})


class TextForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=pgettext_lazy("drafting", "Text"),
        widget=forms.Textarea(attrs={"rows": 18}),
        required=False,
    )


class AskForm(forms.Form):
    department = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)
    due_date = params.DateField(label=pgettext_lazy("drafting", "Due date"), required=True)
    asked = forms.CharField(label=gettext_lazy("What is asked"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("code")
        self.fields["due_date"].widget = forms.DateInput(attrs={"type": "date"})


class MaterialForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(
                upload, max_bytes=drafting.MAX_MATERIAL_BYTES, types=drafting.MATERIAL_TYPES
            )
        return upload


def _task(request: HttpRequest, pk: int) -> DraftingTask:
    task = drafting.task_for(request.user, pk)
    if task is None:
        raise Http404(_("No such drafting task."))
    return task


def _material(request: HttpRequest, pk: int) -> Material:
    material = drafting.material_for(request.user, pk)
    if material is None:
        raise Http404(_("No such material."))
    return material


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """The tasks the person writes, oversees or reviews, and what their unit is asked for."""
    page = Paginator(drafting.task_list(request.user), PAGE_SIZE).get_page(
        params.page_number(request)
    )
    look = lists.Page()
    kinds = {k: str(v) for k, v in DraftingTask.Kind.choices}
    states = {k: str(v) for k, v in DraftingTask.Status.choices}
    task_url = lists.url_maker("documents:drafting-detail")
    rows = [
        (
            task_url(t.pk),
            t.title,
            kinds.get(t.kind, t.kind),
            t.status,
            states.get(t.status, t.status),
            look.name(t.office),
            t.deadline.isoformat(),
        )
        for t in page.object_list
    ]
    material_url = lists.url_maker("documents:material")
    handed, waiting = _("Handed in"), pgettext("drafting", "Waiting")
    asked = [
        (
            material_url(m.pk),
            m.task.title,
            kinds.get(m.task.kind, m.task.kind),
            m.due_date.isoformat(),
            handed if m.submitted_at else waiting,
            bool(m.submitted_at),
        )
        for m in drafting.materials_asked_of(request.user)[:PAGE_SIZE]
    ]
    return render(
        request,
        "documents/drafting/list.html",
        {
            "page": page,
            "rows": rows,
            "asked": asked,
            "may_create": drafting.offices_of(request.user).exists(),
            "querystring": "",
        },
    )


@login_required
def task_create(request: HttpRequest) -> HttpResponse:
    if not drafting.offices_of(request.user).exists():
        raise PermissionDenied(_("Only the office sets drafting tasks."))
    form = TaskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            task = drafting.task_create(user=request.user, **form.cleaned_data)
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Drafting task set."))
            return redirect(task)
    return render(request, "documents/drafting/task_form.html", {"form": form})


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    today = timezone.localdate()
    materials = drafting.materials_of(task)
    writer = drafting.is_writer(task, request.user)
    office = drafting.is_office(request.user, task.office_id)
    return render(
        request,
        "documents/drafting/detail.html",
        {
            "task": task,
            "today": today,
            "materials": materials,
            "missing": [m for m in materials if m.submitted_at is None],
            "writer": writer,
            "office": office,
            "may_edit": writer and drafting.may_edit(task),
            "texts": drafting.texts(task),
            "ask_form": AskForm() if (writer or office) and task.status == "drafting" else None,
            "chain_open": task.request_id is not None
            and drafting.visible_requests(request.user).filter(pk=task.request_id).exists(),
        },
    )


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    if not (drafting.is_writer(task, request.user) and drafting.may_edit(task)):
        messages.error(request, _("The text cannot be changed now."))
        return redirect(task)
    form = TextForm(request.POST or None, initial={"title": task.title, "body": task.body})
    if request.method == "POST" and form.is_valid():
        try:
            drafting.text_save(task_id=task.pk, user=request.user, **form.cleaned_data)
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Text saved."))
            return redirect(task)
    return render(request, "documents/drafting/text_form.html", {"form": form, "task": task})


@login_required
@require_POST
def task_ask(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = AskForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(task)
    try:
        drafting.material_ask(task_id=task.pk, user=request.user, **form.cleaned_data)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The unit is asked for its material."))
    return redirect(task)


@login_required
@require_POST
def task_submit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    comment = params.posted_text(request, "comment", label=_("Comment"), max_length=500)
    if comment is None:
        return redirect(task)
    try:
        drafting.task_submit(task_id=task.pk, user=request.user, comment=comment)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sent for review."))
    return redirect(task)


@login_required
def task_compare(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    texts = {t.n: t for t in drafting.texts(task)}
    order = list(texts)
    form = CompareForm(request.GET)
    if form.is_valid() and {form.cleaned_data["a"], form.cleaned_data["b"]} <= set(texts):
        a, b = texts[form.cleaned_data["a"]], texts[form.cleaned_data["b"]]
    else:
        if request.GET:
            messages.error(request, _("No such versions to compare; showing the last two."))
        a, b = texts[order[max(len(order) - 2, 0)]], texts[order[-1]]
    title_rows, body_rows = drafting.compare(a, b)
    return render(
        request,
        "documents/drafting/compare.html",
        {"task": task, "a": a, "b": b, "title_rows": title_rows, "body_rows": body_rows},
    )


@login_required
def task_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    response = HttpResponse(drafting.text_pdf(task), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{task.title}.pdf"
    )
    return response


@login_required
def material_detail(request: HttpRequest, pk: int) -> HttpResponse:
    material = _material(request, pk)
    unit = drafting.is_staff_of(request.user, material.department_id)
    may_hand_in = unit and material.task.status == DraftingTask.Status.DRAFTING
    form = MaterialForm(
        request.POST or None, request.FILES or None, initial={"note": material.note}
    )
    if request.method == "POST":
        if not may_hand_in:
            raise PermissionDenied(_("Only the unit's staff hand in its material."))
        if form.is_valid():
            try:
                drafting.material_submit(
                    material_id=material.pk,
                    user=request.user,
                    file=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                )
            except DocumentError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Material handed in."))
                return redirect(material)
    return render(
        request,
        "documents/drafting/material.html",
        {
            "material": material,
            "form": form if may_hand_in else None,
            "task_open": drafting.visible_tasks(request.user).filter(pk=material.task_id).exists(),
            "today": timezone.localdate(),
        },
    )


@login_required
def material_file(request: HttpRequest, pk: int) -> FileResponse:
    material = _material(request, pk)
    if not material.file:
        raise Http404(_("No file was handed in."))
    name = material.file.name.rsplit("/", 1)[-1]
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def material_chase(request: HttpRequest, pk: int) -> HttpResponse:
    material = _material(request, pk)
    try:
        drafting.material_chase(material_id=material.pk, user=request.user)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The unit was reminded."))
    return redirect(material.task)
