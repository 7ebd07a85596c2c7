"""One table: the portal at /, the workspace at /manage/, the API at /api/v1/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from touchstone.api import reference as api_reference
from touchstone.api.api import api
from touchstone.api.routers import surveys as api_surveys
from touchstone.complaints import webhook as complaint_email_webhook
from touchstone.core import oidc
from touchstone.core import views as core_views
from touchstone.core.forms import UswdsFormMixin

password_reset_form = type("PasswordResetForm", (UswdsFormMixin, auth_forms.PasswordResetForm), {})
set_password_form = type("SetPasswordForm", (UswdsFormMixin, auth_forms.SetPasswordForm), {})

urlpatterns = [
    path("api/v1/docs", api_reference.reference, name="api-reference"),
    # The hottest write, served without django-ninja's per-request machinery (anything else falls back to it).
    path("api/v1/surveys/<int:survey_id>/responses", api_surveys.submit_response_direct),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    # Outside the language prefix: every provider is given the same fixed return address.
    path("oidc/sign-in/", oidc.SignInView.as_view(), name="oidc_authentication_init"),
    path("oidc/<slug:provider>/sign-in/", oidc.SignInView.as_view(), name="oidc-sign-in"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    # The agency's mail provider posts complaint email here (see complaints/webhook.py).
    path(
        "inbound-email/<slug:agency_slug>/",
        complaint_email_webhook.receive_email,
        name="complaint-email-webhook",
    ),
    path(
        "inbound-email/<slug:agency_slug>/<slug:provider>/",
        complaint_email_webhook.receive_provider_email,
        name="complaint-email-provider-webhook",
    ),
]

urlpatterns += i18n_patterns(
    path("sign-in/", core_views.SignInView.as_view(), name="sign-in"),
    path("sign-in/second-factor/", core_views.second_factor_sign_in, name="second-factor"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path(
        "password-reset/",
        core_views.PasswordResetView.as_view(form_class=password_reset_form),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=set_password_form),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("manage/", include("touchstone.core.urls")),
    path("", include("touchstone.portal.urls")),
    # Each capability's public pages: portal/<app>_urls.py, namespace portal_<app>.
    path("", include("touchstone.portal.catalog_urls")),
    path("", include("touchstone.portal.surveys_urls")),
    path("", include("touchstone.portal.invitation_urls")),
    path("", include("touchstone.portal.voice_urls")),
    path("", include("touchstone.portal.standards_urls")),
    path("", include("touchstone.portal.complaints_urls")),
    path("", include("touchstone.portal.reports_urls")),
    prefix_default_language=False,
)

handler404 = "touchstone.portal.errors.not_found"
handler403 = "touchstone.portal.errors.forbidden"
handler500 = "touchstone.portal.errors.server_error"
