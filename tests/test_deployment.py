"""No Docker engine runs here, so the compose file is checked by reading it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgres_redis_web_worker_and_beat_from_one_image():
    services = load_compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    app_services = [services[name] for name in ("web", "worker", "beat", "migrate")]
    assert {s["image"] for s in app_services} == {"onestop-hall:latest"}
    assert all(s["build"] == "." for s in app_services)
    assert (ROOT / "Dockerfile").exists()


def test_compose_commands_start_gunicorn_and_celery_on_the_hall_app():
    services = load_compose()["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "hall.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "hall", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "hall", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_app_containers_talk_to_the_compose_postgres_and_redis():
    services = load_compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["DJANGO_DEBUG"] == "0"
        assert (
            "postgres" in services[name]["depends_on"] and "redis" in services[name]["depends_on"]
        )


def test_the_modules_compose_names_exist():
    import hall.celery
    import hall.wsgi

    assert hall.wsgi.application is not None
    assert hall.celery.app.main == "hall"
