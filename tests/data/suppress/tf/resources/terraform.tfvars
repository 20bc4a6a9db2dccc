export_timeout = 900
