# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint needs Pango; the approval PDFs print Chinese with Noto CJK.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .
COPY . .
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only STATIC_ROOT=/app/var/static \
    python manage.py collectstatic --noinput

RUN useradd --create-home hall && mkdir -p /app/var/media && chown -R hall /app/var
USER hall
EXPOSE 8000
CMD ["gunicorn", "hall.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-"]
