from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class NewsConfig(AppConfig):
    name = "daybook.news"
    verbose_name = "News"

    def ready(self) -> None:
        from daybook.news import revision
        from daybook.news.models import Article, Entity, Source, Story

        mark = revision.receiver(revision.NEWS)
        for model in (Article, Story, Source, Entity):
            post_save.connect(
                mark, sender=model, weak=False, dispatch_uid=f"news-revision-{model.__name__}"
            )
            post_delete.connect(
                mark, sender=model, weak=False, dispatch_uid=f"news-revision-del-{model.__name__}"
            )
