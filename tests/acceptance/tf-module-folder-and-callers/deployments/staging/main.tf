terraform {
  backend "s3" {
    bucket = "northwind-tfstate"
    key    = "batch-export/staging.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = "eu-west-1"
}

module "export" {
  source = "../../modules/batch-export"

  environment = "staging"
  timeout     = 300
  schedule    = "cron(0 6 ? * MON *)"
}
