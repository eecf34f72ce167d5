"""A deliberately broken view, to prove the authorisation matrix can fail."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from akrites.cases.models import Case


def leak(request: HttpRequest, case_id: str) -> HttpResponse:
    # Forgets cases.selectors.case_get: anyone signed in sees the case.
    return HttpResponse(Case.objects.get(human_id=case_id).human_id)


urlpatterns = [path("leak/<str:case_id>/", leak), path("", include("akrites.urls"))]
