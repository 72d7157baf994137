"""Settings of the catalogue benchmark: the hall's own, with a URLconf that adds the bare page.

Used only by tests/bench/catalogue_bench.py (through DJANGO_SETTINGS_MODULE); never by the hall.
"""

from hall.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.bench_urls"
