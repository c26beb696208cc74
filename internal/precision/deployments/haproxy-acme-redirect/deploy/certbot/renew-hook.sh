#!/bin/sh
# certbot --deploy-hook: HAProxy wants certificate and key in one file.
set -eu
domain=backoffice.example.com
cat "/etc/letsencrypt/live/$domain/fullchain.pem" "/etc/letsencrypt/live/$domain/privkey.pem" \
    > "/etc/haproxy/certs/$domain.pem"
systemctl reload haproxy
