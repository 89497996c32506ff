from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "daybook.api"
    verbose_name = "API"
