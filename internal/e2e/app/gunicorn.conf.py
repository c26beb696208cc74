# gunicorn 20.1 settings for the test app; the proxy reaches it on loopback.
bind = "127.0.0.1:{{APP_PORT}}"
workers = 1
timeout = 30
graceful_timeout = 2
errorlog = "-"
