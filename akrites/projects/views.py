"""Registry pages (SIRT only): the project list and one project's registry entry."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from akrites.projects import selectors


@login_required
def registry_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    projects = selectors.project_list(viewer=request.user, query=query)
    return render(request, "projects/registry_list.html", {"projects": projects, "q": query})


@login_required
def registry_detail(request: HttpRequest, project_slug: str) -> HttpResponse:
    detail = selectors.project_detail(viewer=request.user, slug=project_slug)
    return render(
        request, "projects/registry_detail.html", {"d": detail, "project": detail.project}
    )
