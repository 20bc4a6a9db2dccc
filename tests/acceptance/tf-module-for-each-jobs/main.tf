terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

locals {
  # One entry per scheduled back-office job. Keep timeouts honest: they are also the cost ceiling.
  jobs = {
    "ledger-close" = {
      description = "Closes the daily ledger and exports it to the finance bucket"
      schedule    = "cron(30 1 * * ? *)"
      timeout     = 900
      memory      = 2048
    }
    "fx-rates" = {
      description = "Pulls ECB reference rates"
      schedule    = "cron(0 16 ? * MON-FRI *)"
      timeout     = 60
      memory      = 256
    }
    "dunning-mails" = {
      description = "Queues dunning reminders for overdue invoices"
      schedule    = "cron(0 8 * * ? *)"
      timeout     = 60
      memory      = 256
    }
  }
}

module "jobs" {
  source   = "./modules/scheduled-job"
  for_each = local.jobs

  name        = "finops-${each.key}"
  description = each.value.description
  schedule    = each.value.schedule
  timeout     = each.value.timeout
  memory_size = each.value.memory
  artifact    = "${path.root}/dist/${each.key}.zip"

  tags = {
    team = "finops"
    job  = each.key
  }
}

# Regional archive compaction: the same job in each data region.
module "archive_compaction" {
  source   = "./modules/scheduled-job"
  for_each = toset(["eu", "us"])

  name        = "finops-archive-compaction-${each.key}"
  description = "Compacts the ${each.key} ledger archive"
  schedule    = "cron(0 3 ? * SUN *)"
  timeout     = 900
  memory_size = 1024
  artifact    = "${path.root}/dist/archive-compaction.zip"
}
