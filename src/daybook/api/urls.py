"""``/api/``: the operations, ``openapi.json`` and the docs page, all from one NinjaAPI."""

from django.urls import path

from daybook.api.app import api

urlpatterns = [path("", api.urls)]
