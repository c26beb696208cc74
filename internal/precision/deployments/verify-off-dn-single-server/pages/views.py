from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .models import Page


@login_required
def page(request, slug):
    p = get_object_or_404(Page, slug=slug)
    return render(request, "pages/page.html", {"page": p})
