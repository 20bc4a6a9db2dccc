# Shared defaults for every workspace; per-environment values live in env/*.tfvars
environment        = "staging"
settlement_timeout = 420
