from django.conf import settings

VERIFY_HEADER = getattr(settings, "CERTAUTH_VERIFY_HEADER", "HTTP_X_SSL_CLIENT_VERIFY")
SUBJECT_HEADER = getattr(settings, "CERTAUTH_SUBJECT_HEADER", "HTTP_X_SSL_CLIENT_DN")
