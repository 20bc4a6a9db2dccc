terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "us-west-2"
}

# Our platform team's worker module, published to the private registry.
module "document_worker" {
  source  = "app.terraform.io/northwind/sqs-worker/aws"
  version = "2.3.1"

  name           = "document-ocr"
  runtime        = "python3.11"
  handler        = "ocr.handler"
  package_path   = "dist/ocr.zip"
  timeout        = 300
  memory_size    = 2048
  queue_max_receive_count = 5
}
