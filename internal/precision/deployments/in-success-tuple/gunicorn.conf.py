# gunicorn settings, read by `gunicorn -c gunicorn.conf.py telemetry.wsgi`.
import multiprocessing

bind = "unix:/run/telemetry/gunicorn.sock"
workers = multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"
timeout = 30
graceful_timeout = 20
max_requests = 2000
max_requests_jitter = 200

accesslog = "-"
errorlog = "-"
loglevel = "info"
proc_name = "telemetry"

wsgi_app = "telemetry.wsgi:application"
raw_env = ["DJANGO_SETTINGS_MODULE=telemetry.settings.prod"]
