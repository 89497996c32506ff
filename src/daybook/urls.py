"""The one route table: pages, readers, feeds and the app shell, the API, the admin."""

from django.contrib import admin
from django.urls import include, path

from daybook.sync import fever

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/greader.php/", include("daybook.sync.greader.urls")),
    path("api/fever.php", fever.endpoint),
    path("fever/", fever.endpoint),
    path("api/", include("daybook.api.urls")),
    path("", include("daybook.sync.greader.urls")),
    path("", include("daybook.news.urls")),
    path("", include("daybook.community.urls")),
    path("", include("daybook.mail.urls")),
    path("", include("daybook.web.outside")),
    path("", include("daybook.web.urls")),
]
