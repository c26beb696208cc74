bind = "127.0.0.1:8081"
workers = 4
proc_name = "permits"
