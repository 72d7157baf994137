from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from hall import people, sessions, sso, views, wecom

portal = (
    [
        path("", views.home, name="home"),
        path("services/", views.service_list, name="service-list"),
        path("services/<slug:code>/", views.service_detail, name="service-detail"),
        path("services/<slug:code>/favourite/", views.favourite_toggle, name="favourite-toggle"),
        path("notifications/", views.notification_list, name="notifications"),
        path("notifications/read/", views.notifications_read, name="notifications-read"),
        path(
            "notifications/settings/",
            views.notification_settings,
            name="notification-settings",
        ),
        path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
        path("people/search/", people.people_search, name="people-search"),
    ],
    "hall",
)

urlpatterns = [
    path("", include(portal)),
    path("", include("workflows.urls")),
    path("archives/", include("archives.urls")),
    path("documents/", include("documents.urls")),
    path("research/", include("workflows.research.urls")),
    path("performance/", include("performance.urls")),
    path("reception/", include("reception.urls")),
    path("open311/v2/", include("reception.open311_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", sso.HallLoginView.as_view(), name="login"),
    path("accounts/logout/", sso.HallLogoutView.as_view(), name="logout"),
    path(
        "accounts/sign-out-everywhere/",
        sessions.sign_out_everywhere,
        name="sign-out-everywhere",
    ),
    # The campus identity system (each answers 404 while it is not configured).
    path("accounts/cas/login/", sso.CASLoginView.as_view(), name="cas-login"),
    path("accounts/cas/logout/", sso.CASLogoutView.as_view(), name="cas-logout"),
    path("accounts/oidc/login/", sso.OIDCLoginView.as_view(), name="oidc_authentication_init"),
    path("accounts/oidc/callback/", sso.oidc_callback_safe, name="oidc_authentication_callback"),
    path("accounts/wecom/callback/", wecom.oauth_callback, name="wecom-callback"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", RedirectView.as_view(url=static("hall/favicon.svg"), permanent=True)),
]

admin.site.site_header = settings.HALL_NAME or _("One-stop Business Hall")
admin.site.site_title = admin.site.site_header
