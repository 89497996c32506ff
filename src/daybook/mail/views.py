"""The reader's mail page (digest, alerts, private feeds) and the unsubscribe page
a mail links to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from daybook.community.models import Follow
from daybook.community.views.common import reader_of
from daybook.mail import alerts, subscriptions, timing, unsubscribe
from daybook.mail.forms import OFF, AlertForm, DigestForm
from daybook.mail.models import Subscription


def _follows(user_id: int) -> list[tuple[str, str]]:
    return list(Follow.objects.filter(user_id=user_id).values_list("kind", "key"))


def _page(
    request: HttpRequest,
    digest_form: DigestForm | None = None,
    alert_form: AlertForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = reader_of(request)
    digest = subscriptions.digest_of(user.pk)
    if digest_form is None:
        initial: dict[str, Any] = {"email": user.email, "cadence": OFF}
        if digest is not None:
            initial |= {
                "cadence": digest.cadence,
                "weekday": digest.weekday,
                "hour": digest.hour,
                "zone": digest.zone,
            }
        digest_form = DigestForm(initial=initial)
    if alert_form is None:
        alert_form = AlertForm(follows=_follows(user.pk), initial={"cadence": "daily"})
    rows = Subscription.objects.filter(user=user, kind=Subscription.Kind.ALERT)
    context = {
        "digest": digest,
        "digest_form": digest_form,
        "alert_form": alert_form,
        "alerts": [
            {
                "row": row,
                "about": alerts.describe(row),
                "feed": request.build_absolute_uri(reverse("mail-feed", args=[row.feed_token])),
            }
            for row in rows
        ],
        "zones": sorted(timing.zones()),
        "mail_on": bool(settings.DAYBOOK_PUBLIC_URL),
    }
    return render(request, "mail/settings.html", context, status=status)


@login_required
@never_cache
def settings_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def digest_save(request: HttpRequest) -> HttpResponse:
    user = reader_of(request)
    form = DigestForm(request.POST)
    if not form.is_valid():
        return _page(request, digest_form=form, status=400)
    schedule = form.schedule()
    if schedule is not None and form.cleaned_data["email"] != user.email:
        user.email = form.cleaned_data["email"]
        user.save(update_fields=["email"])
    subscriptions.set_digest(user.pk, schedule)
    messages.success(request, "Your digest is saved." if schedule else "You will get no digest.")
    return redirect("mail-settings")


@login_required
@require_POST
def alert_add(request: HttpRequest) -> HttpResponse:
    user = reader_of(request)
    form = AlertForm(request.POST, follows=_follows(user.pk))
    count = Subscription.objects.filter(user=user, kind=Subscription.Kind.ALERT).count()
    if form.is_valid() and count >= subscriptions.MAX_ALERTS:
        form.add_error(None, f"You can have at most {subscriptions.MAX_ALERTS} alerts.")
    if not form.is_valid():
        return _page(request, alert_form=form, status=400)
    target, key = form.target()
    subscriptions.add_alert(user.pk, target, key, form.schedule())
    messages.success(request, "Your alert is saved.")
    return redirect("mail-settings")


@login_required
@require_POST
def alert_remove(request: HttpRequest, pk: int) -> HttpResponse:
    removed, _ = Subscription.objects.filter(
        pk=pk, user=reader_of(request), kind=Subscription.Kind.ALERT
    ).delete()
    if not removed:
        raise Http404("No such alert.")
    messages.success(request, "The alert is removed.")
    return redirect("mail-settings")


@login_required
@require_POST
def feed_renew(request: HttpRequest, pk: int) -> HttpResponse:
    if not subscriptions.renew_feed(reader_of(request).pk, pk):
        raise Http404("No such alert.")
    messages.success(request, "The alert's feed has a new address; the old one no longer works.")
    return redirect("mail-settings")


@csrf_exempt  # the signed token is the authority, and mail clients POST without a session
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners follow every link in a mail); POST, from the page's
    button or a mail client's one-click (RFC 8058), unsubscribes at once."""
    found = unsubscribe.ids(token)
    if found is None:
        context = {"message": "This unsubscribe link is not valid."}
        return render(request, "web/error.html", context, status=400)
    user_id, subscription_id = found
    row = Subscription.objects.filter(pk=subscription_id, user_id=user_id).first()
    if request.method == "POST":
        unsubscribe.stop(user_id, subscription_id)
        return render(request, "mail/unsubscribed.html", {"had": row is not None})
    about = "" if row is None else (alerts.describe(row) if row.kind == "alert" else "")
    return render(request, "mail/unsubscribe.html", {"row": row, "about": about})
