provider "aws" {
  region = "ap-southeast-2"
}

# Shared cron-job module from the platform repository (pinned tag).
module "nightly_reconcile" {
  source = "git::https://github.com/northwind-platform/terraform-lambda-cron.git//modules/job?ref=v1.4.0"

  name                = "reconcile"
  schedule_expression = "cron(0 3 * * ? *)"
  timeout             = 900
}

# The community Lambda module: computefit maps its inputs without a download.
module "thumbnailer" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "media-thumbnailer"
  handler       = "app.handler"
  runtime       = "python3.12"
  timeout       = 840
  memory_size   = 1536
  source_path   = "${path.module}/src/thumbnailer"
}
