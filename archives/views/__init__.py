"""The archives' pages, one module per subdomain as in archives/services; urls.py reads them."""

from archives.views.borrowing import (
    loan_detail,
    loans,
    start,
)
from archives.views.certificates import (
    cert_create,
    cert_detail,
    cert_edit,
    cert_list,
    cert_return,
    cert_scan,
)
from archives.views.chronicle import (
    chronicle_create,
    chronicle_edit,
    chronicle_list,
    training_create,
    training_edit,
    training_list,
    yearbook,
    yearbook_pdf,
)
from archives.views.disposal import (
    appraisal,
    appraisal_detail,
    destruction,
    hold_place,
    hold_release,
)
from archives.views.importing import (
    accession,
    records_import,
)
from archives.views.records import (
    classes,
    record_detail,
    record_file,
    record_list,
    statistics,
)
from archives.views.reports import (
    report_create,
    report_detail,
    report_form,
    report_forms,
    report_list,
    report_reopen,
    report_xlsx,
)

__all__ = [
    "accession",
    "appraisal",
    "appraisal_detail",
    "cert_create",
    "cert_detail",
    "cert_edit",
    "cert_list",
    "cert_return",
    "cert_scan",
    "chronicle_create",
    "chronicle_edit",
    "chronicle_list",
    "classes",
    "destruction",
    "hold_place",
    "hold_release",
    "loan_detail",
    "loans",
    "record_detail",
    "record_file",
    "record_list",
    "records_import",
    "report_create",
    "report_detail",
    "report_form",
    "report_forms",
    "report_list",
    "report_reopen",
    "report_xlsx",
    "start",
    "statistics",
    "training_create",
    "training_edit",
    "training_list",
    "yearbook",
    "yearbook_pdf",
]
