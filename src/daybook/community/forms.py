"""Forms for what readers send. Every field here is hostile input: lengths are
bounded, ids must name rows that exist, and follow/mute targets are checked
against what the site really has."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.contrib.auth.models import User

from daybook.ai.topics import REGIONS, TOPICS
from daybook.community.models import Comment, Follow, Mute
from daybook.news.models import Article, Entity, Source, Story

BODY_MAX = 5000
WORD_MAX = 60
MUTES_MAX = 100
TOPIC_NAMES = frozenset((*TOPICS, *REGIONS))
"""Topic pages exist for subjects and regions alike, so both can be followed."""


# UserCreationForm is generic only in django-stubs; subscripting it at run time fails.
if TYPE_CHECKING:
    _UserCreationForm = UserCreationForm[User]
else:
    _UserCreationForm = UserCreationForm


class SignupForm(_UserCreationForm):
    email = forms.EmailField(
        required=False, help_text="Optional. Only used to reset a forgotten password."
    )

    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}


def _body_field() -> forms.CharField:
    return forms.CharField(
        label="Comment",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": BODY_MAX}),
        error_messages={
            "required": "Write something first.",
            "max_length": "Keep it to 5,000 characters (this one has %(show_value)d).",
        },
    )


class CommentForm(forms.Form):
    article = forms.ModelChoiceField(
        Article.objects.only("id"),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That article is no longer here."},
    )
    story = forms.ModelChoiceField(
        Story.objects.only("id"),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That story is no longer here."},
    )
    parent = forms.ModelChoiceField(
        Comment.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "The comment you replied to is no longer here."},
    )
    body = _body_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        article, story, parent = data.get("article"), data.get("story"), data.get("parent")
        if (article is None) == (story is None):
            raise forms.ValidationError("A comment belongs to one article or one story.")
        here = (article.pk if article else None, story.pk if story else None)
        if parent is not None and (parent.article_id, parent.story_id) != here:
            raise forms.ValidationError("The comment you replied to is on another page.")
        return data


class EditForm(forms.Form):
    body = _body_field()


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with it?",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )


class FollowForm(forms.Form):
    """A follow target's shape; whether it exists is checked only when following,
    so a follow whose publisher has gone can still be removed."""

    kind = forms.ChoiceField(choices=Follow.Kind.choices)
    key = forms.CharField(max_length=200)


class MuteForm(forms.Form):
    kind = forms.ChoiceField(choices=Mute.Kind.choices, initial=Mute.Kind.WORD)
    key = forms.CharField(label="Word", max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, key = data.get("kind"), data.get("key")
        if key is None:
            return data
        if kind == Mute.Kind.WORD and len(key) > WORD_MAX:
            self.add_error("key", f"A muted word is at most {WORD_MAX} characters.")
        elif kind == Mute.Kind.PUBLISHER and as_id(key) is None:
            self.add_error("key", "That is not a publisher.")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, required=False, help_text="What the token is for."
    )


def target_label(kind: str, key: str) -> str | None:
    """The display name of a follow or mute target, or None when it does not exist."""
    if kind == "topic":
        return key if key in TOPIC_NAMES else None
    pk = as_id(key)
    if pk is None:
        return None
    model: type[Source] | type[Entity]
    if kind == "publisher":
        model = Source
    elif kind == "entity":
        model = Entity
    else:
        return None
    return model.objects.filter(pk=pk).values_list("name", flat=True).first()


def as_id(key: str) -> int | None:
    """``key`` as a row id, or None: only ASCII digits, and few enough to fit a column."""
    return int(key) if key.isascii() and key.isdigit() and len(key) < 19 else None


class AppPasswordForm(forms.Form):
    label = forms.CharField(
        label="Label",
        max_length=100,
        required=False,
        help_text="Which app or device it is for, e.g. “NetNewsWire on my phone”.",
    )
