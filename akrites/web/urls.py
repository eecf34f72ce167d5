from django.contrib.auth import views as auth_views
from django.urls import path

from akrites.web.views import advisory, cases, dashboard, home, unrouted

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sirt/queue/", home.sirt_queue, name="sirt-queue"),
    path("sirt/dashboard/", dashboard.dashboard, name="dashboard"),
    path("sirt/dashboard/intake.svg", dashboard.chart, {"name": "intake"}, name="chart-intake"),
    path(
        "sirt/dashboard/duplicates.svg",
        dashboard.chart,
        {"name": "duplicates"},
        name="chart-duplicates",
    ),
    path("sirt/dashboard/delays.svg", dashboard.chart, {"name": "delays"}, name="chart-delays"),
    path(
        "sirt/dashboard/queue/<str:case_id>/claim/",
        dashboard.queue_claim,
        {"op": "claim"},
        name="queue-claim",
    ),
    path(
        "sirt/dashboard/queue/<str:case_id>/release/",
        dashboard.queue_claim,
        {"op": "release"},
        name="queue-release",
    ),
    path("sirt/unrouted/", unrouted.unrouted_queue, name="unrouted"),
    path("sirt/unrouted/<str:report_id>/", unrouted.unrouted_report, name="unrouted-report"),
    path(
        "sirt/unrouted/<str:report_id>/register/",
        unrouted.unrouted_register_view,
        name="unrouted-register",
    ),
    path(
        "sirt/unrouted/<str:report_id>/attach/",
        unrouted.unrouted_attach_view,
        name="unrouted-attach",
    ),
    path("inbox/", home.maintainer_inbox, name="inbox"),
    path("my/reports/", home.my_reports, name="my-reports"),
    path("cases/<str:case_id>/", cases.case_detail, name="case-detail"),
    path("cases/<str:case_id>/transition/", cases.case_transition, name="case-transition"),
    path("cases/<str:case_id>/advisory/", advisory.advisory_page, name="advisory"),
    path("cases/<str:case_id>/advisory/start/", advisory.advisory_start, name="advisory-start"),
    path("cases/<str:case_id>/advisory/save/", advisory.advisory_save, name="advisory-save"),
    path(
        "cases/<str:case_id>/advisory/approve/",
        advisory.advisory_approve_view,
        name="advisory-approve",
    ),
    path(
        "cases/<str:case_id>/advisory/approval/withdraw/",
        advisory.advisory_withdraw_approval_view,
        name="advisory-unapprove",
    ),
    path(
        "cases/<str:case_id>/advisory/revise/",
        advisory.advisory_revise_view,
        name="advisory-revise",
    ),
    path(
        "cases/<str:case_id>/advisory/withdraw/",
        advisory.advisory_withdraw_view,
        name="advisory-withdraw",
    ),
]
