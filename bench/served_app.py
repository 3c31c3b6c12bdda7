"""The app the load and fault benchmarks serve: ``wsgi:app`` plus the plugin modules
named in ``BENCH_PLUGINS`` (comma-separated, e.g. ``tests.sample_plugins.hanging``),
as a council would install a third-party plugin.

    gunicorn -c deploy/gunicorn.conf.py bench.served_app:app
"""

import importlib
import os

from discuss import create_app

app = create_app()
for _module in filter(None, os.environ.get("BENCH_PLUGINS", "").split(",")):
    app.extensions["discuss"].register(importlib.import_module(_module.strip()))
