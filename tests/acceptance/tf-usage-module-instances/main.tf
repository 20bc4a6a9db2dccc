provider "aws" {
  region = "us-east-1"
}

locals {
  jobs = {
    ingest = { timeout = 880, memory = 1024 }
    enrich = { timeout = 860, memory = 2048 }
  }
}

module "jobs" {
  source   = "./modules/job"
  for_each = local.jobs

  name    = each.key
  timeout = each.value.timeout
  memory  = each.value.memory
}
