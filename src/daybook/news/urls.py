from django.urls import path

from daybook.news import endpoints

urlpatterns = [
    path("healthz", endpoints.healthz, name="healthz"),
    path("websub/<int:pk>/<str:token>", endpoints.websub_callback, name="websub-callback"),
]
