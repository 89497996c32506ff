from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "daybook.mail"
    verbose_name = "Mail"
