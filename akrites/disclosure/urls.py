"""Public routes: advisory pages and feeds, the CSAF provider, the signing key."""

from django.urls import path

from akrites.disclosure import csaf_provider, views
from akrites.disclosure.feeds import AdvisoryFeed

app_name = "disclosure"

_CSAF = ".well-known/csaf/"

urlpatterns = [
    path("advisories/", views.advisory_list, name="list"),
    path("advisories/feed.atom", AdvisoryFeed(), name="feed"),
    path("advisories/rejections/", views.rejection_list, name="rejections"),
    path("advisories/<str:public_id>/", views.advisory_detail, name="detail"),
    path("advisories/<str:public_id>/<str:filename>", views.advisory_document, name="document"),
    path(
        "advisories/<str:public_id>/v/<int:version>/<str:filename>",
        views.advisory_version_document,
        name="version-document",
    ),
    path(".well-known/akrites-signing-key.pem", views.signing_key, name="signing-key"),
    path(f"{_CSAF}provider-metadata.json", csaf_provider.provider_metadata, name="csaf-provider"),
    path(f"{_CSAF}white/", csaf_provider.white_directory, name="csaf-white"),
    path(f"{_CSAF}white/{csaf_provider.FEED_NAME}", csaf_provider.rolie_feed, name="csaf-feed"),
    path(f"{_CSAF}white/index.txt", csaf_provider.index_txt, name="csaf-index"),
    path(f"{_CSAF}white/changes.csv", csaf_provider.changes_csv, name="csaf-changes"),
    path(f"{_CSAF}white/<int:year>/", csaf_provider.year_directory, name="csaf-year"),
    path(f"{_CSAF}white/<int:year>/<str:filename>", csaf_provider.year_file, name="csaf-file"),
]
