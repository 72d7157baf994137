"""WSGI entry point of the benchmark: the hall's own application, with the bench settings."""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.bench_settings"

from hall.wsgi import application  # noqa: E402

__all__ = ["application"]
