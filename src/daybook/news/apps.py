from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "daybook.news"
    verbose_name = "News"
