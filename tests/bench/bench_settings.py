"""Settings of the catalogue benchmark: the hall's own, with a URLconf that adds the bare page.

Used only by tests/bench/catalogue_bench.py (through DJANGO_SETTINGS_MODULE); never by the hall.
"""

import os

from hall.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.bench_urls"

# Set by the benchmark only when `collectstatic` fails with the hall's own manifest storage (it
# says so in its report): static files then keep WhiteNoise's compression but not hashed names,
# which changes nothing the benchmark measures (pages only build /static/... URLs).
if os.environ.get("BENCH_STATIC_FALLBACK") == "1":
    STORAGES = {
        **STORAGES,  # noqa: F405
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
