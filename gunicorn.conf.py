"""gunicorn's settings for the portal, read from the working directory (the image's /app, the
benchmark's checkout) by `gunicorn config.wsgi`; the command line and WEB_CONCURRENCY still apply.

Once a worker has loaded the portal, its URLconf (and with it every view, serializer and form) is
imported and the objects alive then are frozen out of the garbage collector: they live as long as
the worker, and without this every full collection walked them again, a bulk request of a thousand
items (tens of thousands of new objects) setting off several.
"""

import gc


def post_worker_init(worker):
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views now, not on the first request
    gc.collect()
    gc.freeze()
