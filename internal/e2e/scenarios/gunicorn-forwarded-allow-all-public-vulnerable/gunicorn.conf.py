# gunicorn 20.1 on every address, trusting scheme headers from every address.
bind = "0.0.0.0:{{APP_PORT}}"
forwarded_allow_ips = "*"
workers = 1
timeout = 30
graceful_timeout = 2
errorlog = "-"
