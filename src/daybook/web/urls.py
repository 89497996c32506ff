from django.urls import path

from daybook.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
