from django.urls import include, path

from touchstone.benchmarks import views as benchmark_views
from touchstone.core import views

app_name = "manage"

urlpatterns = [
    path("", views.workspace_home, name="home"),
    path("oversight/", views.oversight, name="oversight"),
    path("second-factor/", views.second_factor_settings, name="second-factor"),
    path("oversight/benchmarks/", benchmark_views.oversight, name="oversight-benchmarks"),
    path("<slug:agency_slug>/", views.agency_home, name="agency-home"),
    path("<slug:agency_slug>/details/", views.agency_edit, name="agency-edit"),
    path("<slug:agency_slug>/offices/", views.office_list, name="offices"),
    path("<slug:agency_slug>/offices/new/", views.office_new, name="office-new"),
    path("<slug:agency_slug>/offices/<int:office_id>/", views.office_edit, name="office-edit"),
    path("<slug:agency_slug>/people/", views.people, name="people"),
    path("<slug:agency_slug>/people/new/", views.person_new, name="person-new"),
    path("<slug:agency_slug>/people/<int:membership_id>/", views.person_edit, name="person-edit"),
    path("<slug:agency_slug>/tokens/", views.tokens, name="tokens"),
    path("<slug:agency_slug>/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("<slug:agency_slug>/audit/", views.audit_log, name="audit"),
    path("<slug:agency_slug>/imports/", views.imports, name="imports"),
    path("<slug:agency_slug>/imports/<int:run_id>/", views.import_run, name="import-run"),
    path("<slug:agency_slug>/exports/<slug:kind>/", views.export, name="export"),
    # Each capability's workspace pages: its own urls.py, namespace manage:<app>.
    path("<slug:agency_slug>/catalog/", include("touchstone.catalog.urls")),
    path("<slug:agency_slug>/surveys/", include("touchstone.surveys.urls")),
    path("<slug:agency_slug>/analysis/", include("touchstone.analysis.urls")),
    path("<slug:agency_slug>/standards/", include("touchstone.standards.urls")),
    path("<slug:agency_slug>/complaints/", include("touchstone.complaints.urls")),
    path("<slug:agency_slug>/voice/", include("touchstone.voice.urls")),
    path("<slug:agency_slug>/reports/", include("touchstone.reports.urls")),
    path("<slug:agency_slug>/benchmarks/", include("touchstone.benchmarks.urls")),
    path("<slug:agency_slug>/improvement/", include("touchstone.improvement.urls")),
]
