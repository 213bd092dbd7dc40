# The production image of Tibao: one image for the web (gunicorn + WhiteNoise), the Celery worker,
# Celery beat and the one-shot migrate job (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext: compilemessages turns the .po catalogues into .mo files below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a change to the code does not reinstall them. Installing the project
# installs only its dependencies (pyproject.toml declares no importable package).
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Settings refuse to load without SECRET_KEY when DEBUG is off. This key exists only for these two
# build commands; it is not kept in the image, and every container gets the real one at run time.
RUN export DEBUG=0 SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    && python manage.py compilemessages --ignore=.venv \
    && python manage.py collectstatic --noinput

# Run as an unprivileged user; uploaded files go to /data/media (a named volume in compose).
RUN useradd --system --uid 10001 --create-home --shell /usr/sbin/nologin tibao \
    && mkdir -p /data/media \
    && chown tibao:tibao /data/media
USER tibao

ENV MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3
EXPOSE 8000

# gunicorn reads the number of worker processes from WEB_CONCURRENCY.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "120"]
