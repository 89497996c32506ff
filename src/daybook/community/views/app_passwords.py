"""App passwords on the site: a reader makes one per reader app and revokes it when
the app or the device goes (``daybook.community.app_passwords``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from daybook.community import app_passwords
from daybook.community.forms import AppPasswordForm
from daybook.community.models import AppPassword
from daybook.community.views.common import reader_of


@login_required
@never_cache
def page(request: HttpRequest) -> HttpResponse:
    """List and make app passwords; a new one is shown in the answer to the POST that
    made it and never again."""
    user = reader_of(request)
    made = ""
    form = AppPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if AppPassword.objects.filter(user=user).count() >= app_passwords.MAX_PER_READER:
            limit = app_passwords.MAX_PER_READER
            form.add_error(None, f"You can have at most {limit} app passwords.")
        else:
            _, made = app_passwords.make(user, form.cleaned_data["label"])
            form = AppPasswordForm()
    context = {
        "form": form,
        "made": made,
        "passwords": AppPassword.objects.filter(user=user),
        "server": request.build_absolute_uri("/"),
    }
    return render(request, "community/app_passwords.html", context)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not app_passwords.revoke(reader_of(request), pk):
        raise Http404("No such app password.")
    messages.success(request, "The app password has been revoked; apps using it are signed out.")
    return redirect("app-passwords")
