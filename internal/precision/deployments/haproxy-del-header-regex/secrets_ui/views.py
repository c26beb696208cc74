from django.http import Http404, JsonResponse

from .crypto import decrypt
from .models import Secret


def reveal(request, secret_path):
    secret = Secret.objects.filter(path=secret_path, owners=request.engineer).first()
    if secret is None:
        raise Http404
    return JsonResponse({"path": secret.path, "value": decrypt(secret.ciphertext)})
