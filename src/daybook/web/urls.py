from django.urls import path

from daybook.web import media, views

urlpatterns = [
    path("", views.home, name="home"),
    path("media/<str:size>/<str:signature>/<str:encoded>", media.media, name="media"),
    path("stories/<int:pk>/", views.story, name="story"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("articles/<int:pk>/ask", views.ask, name="ask"),
    path("stories/<int:pk>/ask", views.story_ask, name="story-ask"),
    path("publishers/", views.publishers, name="publishers"),
    path("publishers/<int:pk>/", views.publisher, name="publisher"),
    path("topics/", views.topics, name="topics"),
    path("topics/<str:name>/", views.topic, name="topic"),
    path("entities/<int:pk>/", views.entity, name="entity"),
    path("search/", views.search, name="search"),
]
