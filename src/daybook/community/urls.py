"""Reader routes: accounts, comments, bookmarks, follows, mutes, saved articles, tokens."""

from __future__ import annotations

from django.contrib.auth import views as auth
from django.urls import URLPattern, path, reverse_lazy

from daybook.community.views import (
    accounts,
    app_passwords,
    comments,
    follows,
    read_state,
    subscriptions,
)

T = "community/"

urlpatterns: list[URLPattern] = [
    path("accounts/", accounts.account, name="account"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signin/", accounts.signin, name="signin"),
    path("accounts/signout/", accounts.signout, name="signout"),
    path("accounts/password/", accounts.PasswordChange.as_view(), name="password_change"),
    path(
        "accounts/password/reset/",
        accounts.PasswordReset.as_view(
            template_name=T + "password_reset.html",
            email_template_name=T + "password_reset_email.txt",
            subject_template_name=T + "password_reset_subject.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/done/",
        auth.PasswordResetDoneView.as_view(template_name=T + "password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(
            template_name=T + "password_reset_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth.PasswordResetCompleteView.as_view(template_name=T + "password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("accounts/tokens/", accounts.tokens_page, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke", accounts.token_revoke, name="token-revoke"),
    path("accounts/app-passwords/", app_passwords.page, name="app-passwords"),
    path(
        "accounts/app-passwords/<int:pk>/revoke",
        app_passwords.revoke,
        name="app-password-revoke",
    ),
    path("comments/new", comments.comment_new, name="comment-new"),
    path("comments/<int:pk>/edit", comments.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete", comments.comment_delete, name="comment-delete"),
    path("comments/<int:pk>/report", comments.comment_report, name="comment-report"),
    path("articles/<int:pk>/bookmark", follows.bookmark, name="bookmark"),
    path("articles/<int:pk>/read", read_state.read_article, name="read-article"),
    path("read", read_state.read_all, name="read-all"),
    path("follow", follows.follow, name="follow"),
    path("mute", follows.mute, name="mute"),
    path("mute/<int:pk>/delete", follows.mute_delete, name="mute-delete"),
    path("saved/", follows.saved, name="saved"),
    path("subscriptions/", subscriptions.page, name="subscriptions"),
    path("subscriptions/add", subscriptions.add, name="subscription-add"),
    path("subscriptions/import", subscriptions.import_opml, name="subscription-import"),
    path("subscriptions.opml", subscriptions.export_opml, name="subscription-export"),
]
