provider "aws" {
  region = "us-east-1"
}

# Nightly revenue report: a cron entry on a host that runs all month.
resource "aws_instance" "report_host" {
  ami           = "ami-0c02fb55956c7d316"
  instance_type = "t3.medium"

  root_block_device {
    volume_type = "gp3"
    volume_size = 20
  }

  user_data = <<-EOT
    #!/bin/bash
    yum install -y python3
    echo "15 2 * * * ec2-user /opt/reports/revenue_report.sh" > /etc/cron.d/revenue-report
  EOT

  tags = { Name = "revenue-report" }
}

resource "aws_sqs_queue" "ledger" {
  name                       = "ledger-export"
  visibility_timeout_seconds = 5220
}

resource "aws_lambda_function" "ledger_export" {
  function_name = "ledger-export"
  role          = "arn:aws:iam::123456789012:role/ledger-export"
  handler       = "export.handler"
  runtime       = "python3.12"
  filename      = "build/ledger_export.zip"
  memory_size   = 1024
  timeout       = 870
}

resource "aws_lambda_event_source_mapping" "ledger" {
  event_source_arn = aws_sqs_queue.ledger.arn
  function_name    = aws_lambda_function.ledger_export.arn
  batch_size       = 1
}

locals {
  workers = {
    invoices = { timeout = 880, memory = 2048 }
    payouts  = { timeout = 300, memory = 512 }
  }
}

resource "aws_sqs_queue" "work" {
  for_each                   = local.workers
  name                       = "${each.key}-work"
  visibility_timeout_seconds = 6 * each.value.timeout
}

resource "aws_lambda_function" "workers" {
  for_each      = local.workers
  function_name = "${each.key}-worker"
  role          = "arn:aws:iam::123456789012:role/workers"
  handler       = "worker.handler"
  runtime       = "python3.12"
  filename      = "build/worker.zip"
  memory_size   = each.value.memory
  timeout       = each.value.timeout
}

resource "aws_lambda_event_source_mapping" "work" {
  for_each         = local.workers
  event_source_arn = aws_sqs_queue.work[each.key].arn
  function_name    = aws_lambda_function.workers[each.key].arn
}

module "api" {
  source = "./modules/api"
  name   = "checkout"
}
