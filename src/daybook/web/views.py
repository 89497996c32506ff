"""Until the full site lands: the stored articles, newest first, as HTML or JSON."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from daybook.news.models import Article
from daybook.pipeline.normalise import is_web_url, relative_age


def home(request: HttpRequest) -> HttpResponse:
    articles = list(Article.objects.select_related("source").filter(copy_of=None)[:200])
    rows = [
        {
            "id": a.pk,
            "title": a.title,
            "publisher": a.publisher,
            # Only web links are links: a local file's path is not for readers.
            "url": a.url if is_web_url(a.url) else None,
            "published": a.published_at.isoformat() if a.published_at else None,
            "age": relative_age(a.published_at) if a.published_at else "",
            "copies": a.copies.count(),
        }
        for a in articles
    ]
    if request.GET.get("format") == "json":
        return JsonResponse({"articles": rows, "total": Article.objects.count()})
    return render(request, "web/home.html", {"rows": rows, "total": Article.objects.count()})
