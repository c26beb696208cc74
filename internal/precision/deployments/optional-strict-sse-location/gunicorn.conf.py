# gunicorn settings, read by `gunicorn -c gunicorn.conf.py ledger.wsgi`.
import multiprocessing

bind = "0.0.0.0:8000"
workers = multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"
timeout = 30
graceful_timeout = 20
max_requests = 2000
max_requests_jitter = 200

accesslog = "-"
errorlog = "-"
loglevel = "info"
proc_name = "ledger"
