"""The production settings as they are, for the server test_production_shape.py starts: static files are served
unhashed because collectstatic's manifest is not built for a test run. Never used outside that test."""

from touchstone.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
