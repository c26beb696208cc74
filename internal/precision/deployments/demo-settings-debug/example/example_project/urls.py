from django.http import JsonResponse
from django.urls import path


def whoami(request):
    return JsonResponse({
        "user": request.user.get_username() or None,
        "verify": request.META.get("HTTP_X_SSL_CLIENT_VERIFY"),
    })


urlpatterns = [path("whoami/", whoami)]
