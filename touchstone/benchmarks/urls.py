"""Workspace pages of benchmarks, under /manage/<agency_slug>/benchmarks/ (namespace manage:benchmarks)."""

from django.urls import path

from touchstone.benchmarks import views

app_name = "benchmarks"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.benchmark_new, name="new"),
    path("<int:benchmark_id>/choose/", views.choose, name="choose"),
    path("choices/<int:choice_id>/remove/", views.unchoose, name="unchoose"),
    path("comparisons/", views.comparisons, name="comparisons"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecard/people/<int:membership_id>/", views.scorecard_manager, name="scorecard-manager"),
    path("scorecard.csv", views.scorecard_export, name="scorecard-export"),
]
