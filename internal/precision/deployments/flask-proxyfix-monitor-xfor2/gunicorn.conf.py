bind = "unix:/run/rota/gunicorn.sock"
wsgi_app = "rota.wsgi:app"
workers = 4
accesslog = "-"
