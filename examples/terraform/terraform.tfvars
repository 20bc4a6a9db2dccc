environment       = "production"
reconcile_timeout = 870
