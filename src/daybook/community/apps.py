from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CommunityConfig(AppConfig):
    name = "daybook.community"
    verbose_name = "Readers"

    def ready(self) -> None:
        from daybook.community import changes
        from daybook.community.models import Comment
        from daybook.news import revision

        changes.connect()

        mark = revision.receiver(revision.COMMENTS)
        post_save.connect(mark, sender=Comment, weak=False, dispatch_uid="comments-revision")
        post_delete.connect(mark, sender=Comment, weak=False, dispatch_uid="comments-revision-del")
