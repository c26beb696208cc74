# Names under which the proxy's client-certificate headers appear in
# request.META, and the only result that means verified.
CLIENT_VERIFY_HEADER = "HTTP_X_SSL_CLIENT_VERIFY"
CLIENT_SUBJECT_HEADER = "HTTP_X_SSL_CLIENT_DN"
VERIFIED = "SUCCESS"
