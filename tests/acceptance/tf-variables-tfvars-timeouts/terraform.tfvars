environment = "prod"

# Large RAW images from the new studio vendor need much longer.
thumbnail_timeout = 720

# Reindex is incremental since v2.3; 10 minutes is plenty.
reindex_timeout = 600
