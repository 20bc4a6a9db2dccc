variable "aws_region" {
  type    = string
  default = "eu-west-1"
}

provider "aws" {
  region = var.aws_region
}

# Replica of the reporting stack in the US account; only the default provider prices it.
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

resource "aws_lambda_function" "nightly_reconcile" {
  function_name = "nightly-reconcile"
  role          = "arn:aws:iam::123456789012:role/reconcile"
  handler       = "reconcile.main"
  runtime       = "python3.12"
  filename      = "build/reconcile.zip"
  memory_size   = 3008
  timeout       = 900
}

resource "aws_scheduler_schedule" "nightly_reconcile" {
  name                = "nightly-reconcile"
  schedule_expression = "rate(1 day)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.nightly_reconcile.arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler"
  }
}

resource "aws_instance" "ledger_cron" {
  ami           = "ami-0694d931cee176e7d"
  instance_type = "t3.medium"

  user_data = <<-EOT
    #!/bin/bash
    cat > /etc/cron.d/ledger <<'CRON'
    0 4 * * * root /usr/local/bin/ledger-close --region eu-west-1
    CRON
  EOT
}
