"""viewflow's own Process and Task admin is left out of the hall's admin.

Requests are followed, reassigned and corrected on the hall's own pages (requests, tasks,
analytics); viewflow's pages showed its raw rows, in English, beside the Chinese catalogue,
and an edit there would put a process out of step with its request.
"""

from django.contrib import admin
from viewflow.workflow.models import Process, Task

for model in (Process, Task):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
