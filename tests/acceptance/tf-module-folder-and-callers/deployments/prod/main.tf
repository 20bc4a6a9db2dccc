terraform {
  backend "s3" {
    bucket = "northwind-tfstate"
    key    = "batch-export/prod.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = "eu-west-1"
}

module "export" {
  source = "../../modules/batch-export"

  environment = "prod"
  timeout     = 880
}
