from django.urls import path

from akrites.remediation.views import cases, patches, terms

app_name = "remediation"

urlpatterns = [
    path("cases/<str:case_id>/remediation/", cases.case_remediation, name="case"),
    path("cases/<str:case_id>/remediation/acknowledge/", cases.acknowledge, name="acknowledge"),
    path("cases/<str:case_id>/remediation/dispute/", cases.dispute, name="dispute"),
    path("cases/<str:case_id>/remediation/dates/", cases.dates, name="dates"),
    path("cases/<str:case_id>/remediation/invite/", cases.invite, name="invite"),
    path("cases/<str:case_id>/remediation/statements/", cases.statement, name="statement"),
    path("cases/<str:case_id>/remediation/fix-ready/", cases.fix_ready, name="fix-ready"),
    path("cases/<str:case_id>/remediation/stewardship/", cases.stewardship, name="stewardship"),
    path("cases/<str:case_id>/remediation/release-plan/", cases.release_plan, name="release-plan"),
    path("cases/<str:case_id>/patches/", patches.propose, name="propose"),
    path("cases/<str:case_id>/patches/compare/", patches.compare, name="compare"),
    path("cases/<str:case_id>/patches/<str:patch_id>/", patches.patch_detail, name="patch"),
    path("cases/<str:case_id>/patches/<str:patch_id>/review/", patches.review, name="review"),
    path("cases/<str:case_id>/patches/<str:patch_id>/choose/", patches.choose, name="choose"),
    path("cases/<str:case_id>/fix.mbox", patches.fix_mbox, name="fix-mbox"),
    path("cases/<str:case_id>/fix.patch", patches.fix_patch, name="fix-patch"),
    path("projects/<str:project_slug>/terms/", terms.terms, name="terms"),
    path("projects/<str:project_slug>/terms/status/", terms.mark_status, name="mark-status"),
]
