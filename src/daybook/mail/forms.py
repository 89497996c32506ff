"""The mail settings forms. Everything here is hostile input: the zone must be an
IANA name this machine knows, the hour and weekday in range, the followed target
one the reader really follows, the search text bounded and not empty of words."""

from __future__ import annotations

from typing import Any

from django import forms

from daybook.community.forms import target_label
from daybook.mail import timing
from daybook.mail.models import Subscription
from daybook.news.search import MAX_QUERY_CHARS

WEEKDAYS = [
    (0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"),
    (4, "Friday"), (5, "Saturday"), (6, "Sunday"),
]  # fmt: skip
HOURS = [(h, f"{h:02d}:00") for h in range(24)]
OFF = "off"


def _zone_field() -> forms.CharField:
    return forms.CharField(
        label="Time zone",
        max_length=64,
        initial="UTC",
        help_text="Your IANA time zone, such as Europe/Paris or Asia/Tokyo.",
        widget=forms.TextInput(attrs={"list": "zones", "autocomplete": "off"}),
    )


def _clean_zone(value: str) -> str:
    value = value.strip()
    try:
        timing.zone_of(value)
    except ValueError:
        raise forms.ValidationError(
            "That is not a time zone we know. Use a name such as Europe/Paris or Asia/Tokyo."
        ) from None
    return value


class DigestForm(forms.Form):
    cadence = forms.ChoiceField(
        label="Digest",
        choices=[(OFF, "No digest"), ("daily", "Daily"), ("weekly", "Weekly")],
    )
    weekday = forms.TypedChoiceField(label="Day (weekly)", choices=WEEKDAYS, coerce=int, initial=0)
    hour = forms.TypedChoiceField(label="At", choices=HOURS, coerce=int, initial=7)
    zone = _zone_field()
    email = forms.EmailField(
        label="Send to", required=False, max_length=254, help_text="Your mail address."
    )

    def clean_zone(self) -> str:
        return _clean_zone(self.cleaned_data["zone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cadence") not in (None, OFF) and not data.get("email"):
            self.add_error("email", "A digest needs an address to go to.")
        return data

    def schedule(self) -> timing.Schedule | None:
        data = self.cleaned_data
        if data["cadence"] == OFF:
            return None
        return timing.Schedule(data["cadence"], data["hour"], data["weekday"], data["zone"])


class AlertForm(forms.Form):
    search = forms.CharField(
        label="Search for",
        required=False,
        max_length=MAX_QUERY_CHARS,
        help_text="Words every new article must have, as in the site's search.",
    )
    follow = forms.ChoiceField(label="Or something you follow", required=False)
    cadence = forms.ChoiceField(
        label="How often", choices=[(c.value, c.label) for c in timing.ALERT_CADENCES]
    )
    hour = forms.TypedChoiceField(label="At (daily)", choices=HOURS, coerce=int, initial=7)
    zone = _zone_field()

    def __init__(self, *args: Any, follows: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "(choose)")]
        for kind, key in follows:
            label = target_label(kind, key)
            if label and kind in Subscription.Target.values:
                choices.append((f"{kind}:{key}", f"{label} ({kind})"))
        self.fields["follow"].choices = choices  # type: ignore[attr-defined]

    def clean_zone(self) -> str:
        return _clean_zone(self.cleaned_data["zone"])

    def clean_search(self) -> str:
        return " ".join(str(self.cleaned_data["search"]).split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("search")) == bool(data.get("follow")):
            raise forms.ValidationError("Give words to search for, or choose one thing you follow.")
        return data

    def target(self) -> tuple[str, str]:
        if self.cleaned_data["search"]:
            return Subscription.Target.SEARCH, self.cleaned_data["search"]
        kind, key = str(self.cleaned_data["follow"]).split(":", 1)
        return kind, key

    def schedule(self) -> timing.Schedule:
        data = self.cleaned_data
        return timing.Schedule(data["cadence"], data["hour"], 0, data["zone"])
