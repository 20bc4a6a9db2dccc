# Production: settlement covers every merchant, so it runs longer.
environment        = "prod"
settlement_memory  = 3008
settlement_timeout = 870
