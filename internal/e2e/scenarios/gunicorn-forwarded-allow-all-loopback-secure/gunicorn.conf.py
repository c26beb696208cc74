# gunicorn 20.1 on loopback, trusting scheme headers from every address.
bind = "127.0.0.1:{{APP_PORT}}"
forwarded_allow_ips = "*"
workers = 1
timeout = 30
graceful_timeout = 2
errorlog = "-"
