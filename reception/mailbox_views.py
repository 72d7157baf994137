"""The office's page to import a mailbox file (mbox or .eml) as cases."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hall.actions import REFUSED, act
from reception import case_selectors as selectors
from reception import case_services as cs
from reception import mailbox
from reception.models import CaseAttachment


class MailboxFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Mailbox file (mbox or .eml)"))


@login_required
def mailbox_import(request: HttpRequest) -> HttpResponse:
    if not cs.is_office(request.user):
        raise Http404(_("No such page."))
    form = MailboxFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: mailbox.import_file(form.cleaned_data["file"], received_by=request.user),
            lambda result: (
                _(
                    "%(made)d cases made from the mailbox; "
                    "%(skipped)d messages were already imported."
                )
                % {"made": len(result.made), "skipped": result.skipped}
            ),
            refused=cs.CaseError,
        )
        if done is not REFUSED:
            for note in done.refused:
                messages.warning(request, note)
            return redirect("reception:cases")
    return render(
        request,
        "reception/mailbox_import.html",
        {"form": form, "imap": mailbox.imap_configured()},
    )


@login_required
def attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    """A case's attachment: for those who see the person's data (404 for everyone else)."""
    case = selectors.case_detail(request.user, pk)
    if case is None or not cs.may_see_contact(request.user, case):
        raise Http404(_("No such file."))
    found = CaseAttachment.objects.filter(case=case, pk=attachment).first()
    if found is None:
        raise Http404(_("No such file."))
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)
