ingest_timeout = 120
