"""The gazette's pages: the public list of issues, an issue and its PDF (no login), and the
office's pages to compile and publish an issue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import gazette, selectors
from documents.services import DocumentError
from hall import params
from hall.lists import Page

PAGE_SIZE = 50


def _label(issue) -> str:
    if not issue.number:
        return _("Being compiled (no number yet)")
    return _("%(year)s, no. %(number)s") % {"year": issue.year, "number": issue.number}


def _rows(issues, *, public: bool) -> list[dict]:
    """Each issue's row and contents, written once a page (labels and URLs made once)."""
    page = Page()
    manage = reverse("documents:gazette-manage")
    listing = reverse("documents:gazette")
    template = _("%(year)s, no. %(number)s")
    compiling = _("Being compiled (no number yet)")
    pages_of = _("%(n)s pages")
    page_no = _("p. %(n)s")
    rows = []
    for issue in issues:
        label = template % {"year": issue.year, "number": issue.number} if issue.number else ""
        public_url = f"{listing}{issue.year}/{issue.number}/" if issue.number else ""
        rows.append(
            {
                "label": label or compiling,
                "title": issue.title,
                "published": issue.published_on.isoformat() if issue.published_on else "",
                "url": public_url if public else f"{manage}{issue.pk}/",
                "public_url": public_url,
                "pdf": f"{public_url}pdf/" if public_url else "",
                "pages": pages_of % {"n": issue.pages} if issue.pages else "",
                "draft": issue.status == gazette.Status.DRAFT,
                "contents": [
                    (e.document.title, e.document.number, page_no % {"n": e.page} if e.page else "")
                    for e in issue.contents
                ],
                "by": (issue.created_by.get_full_name() or issue.created_by.get_username())
                if not public and issue.created_by
                else "",
                "created": page.minute(issue.created_at),
            }
        )
    return rows


# --- public ------------------------------------------------------------------------------------


def gazette_list(request: HttpRequest) -> HttpResponse:
    """The published issues by year: open to everyone, signed in or not."""
    year = params.integer(request, "year", label=_("Year"), min_value=1949, max_value=2999)
    issues = gazette.published_issues(year=year)
    page = Paginator(issues, PAGE_SIZE).get_page(params.page_number(request))
    rows = _rows(page.object_list, public=True)
    years: list[tuple[int, list[dict]]] = []
    for row, issue in zip(rows, page.object_list, strict=True):
        if not years or years[-1][0] != issue.year:
            years.append((issue.year, []))
        years[-1][1].append(row)
    return render(
        request,
        "documents/gazette/list.html",
        {
            "years": years,
            "page_obj": page,
            "year": year,
            "all_years": gazette.published_years(),
            "editor": gazette.may_edit(request.user),
            "querystring": f"year={year}" if year else "",
        },
    )


def _published(year: int, number: int):
    issue = gazette.published_issue(year, number)
    if issue is None:
        raise Http404(_("No such issue of the gazette."))
    return issue


def gazette_issue(request: HttpRequest, year: int, number: int) -> HttpResponse:
    issue = _published(year, number)
    (row,) = _rows([issue], public=True)
    return render(request, "documents/gazette/issue.html", {"issue": issue, "row": row})


def gazette_pdf(request: HttpRequest, year: int, number: int) -> FileResponse:
    issue = _published(year, number)
    if not issue.pdf:
        raise Http404(_("No such issue of the gazette."))
    return FileResponse(
        issue.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"gazette-{issue.year}-{issue.number}.pdf",
    )


# --- the office --------------------------------------------------------------------------------


def _editor(request: HttpRequest) -> None:
    if not gazette.may_edit(request.user):
        raise Http404(_("No such page."))


def _draft(request: HttpRequest, pk: int):
    issue = gazette.office_issue(request.user, pk)
    if issue is None:
        raise Http404(_("No such issue of the gazette."))
    return issue


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    _editor(request)
    issues = gazette.office_issues(request.user)
    page = Paginator(issues, PAGE_SIZE).get_page(params.page_number(request))
    return render(
        request,
        "documents/gazette/manage_list.html",
        {"rows": _rows(page.object_list, public=False), "page_obj": page, "querystring": ""},
    )


@login_required
@require_POST
def manage_create(request: HttpRequest) -> HttpResponse:
    _editor(request)
    title = params.posted_text(request, "title", label=_("Title"), max_length=100)
    if title is None:
        return redirect("documents:gazette-manage")
    issue = gazette.issue_create(user=request.user, title=title.strip())
    return redirect("documents:gazette-compile", pk=issue.pk)


@login_required
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _draft(request, pk)
    (row,) = _rows([issue], public=False)
    entries = list(issue.contents)
    return render(
        request,
        "documents/gazette/compile.html",
        {
            "issue": issue,
            "row": row,
            "entries": entries,
            "candidates": gazette.candidates() if issue.status == gazette.Status.DRAFT else [],
        },
    )


def _act(request: HttpRequest, pk: int, do) -> HttpResponse:
    issue = _draft(request, pk)
    try:
        done = do(issue)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, done)
    return redirect("documents:gazette-compile", pk=issue.pk)


@login_required
@require_POST
def manage_add(request: HttpRequest, pk: int) -> HttpResponse:
    def do(issue):
        document_id = params.posted_id(request, "document")
        if document_id is None:
            number = params.posted_text(request, "number", label=_("Reference number"))
            found = gazette.find_document(number or "")
            if found is None or selectors.document_for(request.user, found.pk) is None:
                raise DocumentError(_("No registered document has that reference number."))
            document_id = found.pk
        entry = gazette.issue_add(issue_id=issue.pk, user=request.user, document_id=document_id)
        return _("%(number)s is in the issue.") % {"number": entry.document.number}

    return _act(request, pk, do)


@login_required
@require_POST
def manage_remove(request: HttpRequest, pk: int) -> HttpResponse:
    def do(issue):
        entry = params.posted_id(request, "entry")
        gazette.issue_remove(issue_id=issue.pk, user=request.user, entry_id=entry or 0)
        return _("Taken out of the issue.")

    return _act(request, pk, do)


@login_required
@require_POST
def manage_up(request: HttpRequest, pk: int) -> HttpResponse:
    def do(issue):
        entry = params.posted_id(request, "entry")
        gazette.issue_move_up(issue_id=issue.pk, user=request.user, entry_id=entry or 0)
        return ""

    return _act(request, pk, do)


@login_required
@require_POST
def manage_publish(request: HttpRequest, pk: int) -> HttpResponse:
    def do(issue):
        done = gazette.issue_publish(issue_id=issue.pk, user=request.user)
        return _("Published as %(label)s; it is on the public gazette page.") % {
            "label": _label(done)
        }

    return _act(request, pk, do)


@login_required
def manage_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The office's preview of an issue's PDF (a published one is the stored file)."""
    issue = _draft(request, pk)
    if issue.pdf:
        return FileResponse(issue.pdf.open("rb"), content_type="application/pdf")
    content, _pages, _starts = gazette.render_issue(issue)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="gazette-draft-{issue.pk}.pdf"'
    return response


@login_required
@require_POST
def mark_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The office marks an issued document public for the gazette, or takes the mark off."""
    document = selectors.document_for(request.user, pk)
    if document is None:
        raise Http404(_("No such document."))
    public = request.POST.get("public") == "1"
    try:
        gazette.document_mark_public(document_id=document.pk, user=request.user, public=public)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Marked public: it may enter the gazette.")
            if public
            else _("No longer marked public."),
        )
    return redirect(document)
