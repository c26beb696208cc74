# gunicorn 20.1 on every address of the host.
bind = "0.0.0.0:{{APP_PORT}}"
workers = 1
timeout = 30
graceful_timeout = 2
errorlog = "-"
