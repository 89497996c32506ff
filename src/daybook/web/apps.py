from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "daybook.web"
    verbose_name = "Web"
