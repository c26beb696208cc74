# Names under which the proxy's client-certificate headers appear in request.META.
CLIENT_VERIFY_HEADER = "HTTP_X_SSL_CLIENT_VERIFY"
CLIENT_SUBJECT_HEADER = "HTTP_X_SSL_CLIENT_DN"

# The only verification result nginx reports for a certificate that chains to our CA.
VERIFIED = "SUCCESS"

UPLOAD_PREFIX = "/upload/"
