terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-2"
}

locals {
  reports = {
    daily_sales   = { schedule = "cron(0 6 * * ? *)", timeout = 300 }
    weekly_churn  = { schedule = "cron(0 7 ? * MON *)", timeout = 600 }
    monthly_close = { schedule = "cron(0 5 1 * ? *)", timeout = 480 }
  }
}

resource "aws_iam_role" "jobs" {
  name = "insights-jobs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = ["lambda.amazonaws.com", "scheduler.amazonaws.com"] }
      Action    = "sts:AssumeRole"
    }]
  })
}

# ---------------------------------------------------------------------------
# Scheduled reports (Java), one function per report
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "report" {
  for_each = local.reports

  function_name = "insights-${replace(each.key, "_", "-")}"
  role          = aws_iam_role.jobs.arn
  runtime       = "java21"
  handler       = "com.acme.insights.ReportJob::handleRequest"
  filename      = "${path.module}/build/insights-jobs.jar"
  memory_size   = 3008
  timeout       = each.value.timeout

  environment {
    variables = {
      REPORT = each.key
    }
  }
}

resource "aws_scheduler_schedule" "report" {
  for_each = local.reports

  name                = "insights-${replace(each.key, "_", "-")}"
  schedule_expression = each.value.schedule

  flexible_time_window {
    mode                      = "FLEXIBLE"
    maximum_window_in_minutes = 15
  }

  target {
    arn      = aws_lambda_function.report[each.key].arn
    role_arn = aws_iam_role.jobs.arn
  }
}

# ---------------------------------------------------------------------------
# Clickstream consumer (.NET 8) on a Kinesis stream
# ---------------------------------------------------------------------------

resource "aws_kinesis_stream" "clicks" {
  name             = "insights-clickstream"
  retention_period = 48

  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }
}

resource "aws_lambda_function" "click_aggregator" {
  function_name = "insights-click-aggregator"
  role          = aws_iam_role.jobs.arn
  runtime       = "dotnet8"
  handler       = "Insights.Clicks::Insights.Clicks.Aggregator::HandleAsync"
  filename      = "${path.module}/build/click-aggregator.zip"
  memory_size   = 1024
  timeout       = 60
}

resource "aws_lambda_event_source_mapping" "clicks" {
  event_source_arn                   = aws_kinesis_stream.clicks.arn
  function_name                      = aws_lambda_function.click_aggregator.arn
  starting_position                  = "LATEST"
  batch_size                         = 500
  maximum_batching_window_in_seconds = 5
  parallelization_factor             = 4
}

# ---------------------------------------------------------------------------
# Dashboard server (Metabase) for the analysts. Always on, no cron.
# ---------------------------------------------------------------------------

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-x86_64"]
  }
}

resource "aws_security_group" "dashboards" {
  name = "insights-dashboards"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "dashboards" {
  ami                    = data.aws_ami.al2023.id
  instance_type          = "r6i.large"
  vpc_security_group_ids = [aws_security_group.dashboards.id]

  user_data = <<-EOT
    #!/bin/bash
    set -euo pipefail
    dnf install -y docker nginx
    systemctl enable --now docker
    docker run -d --restart unless-stopped --name metabase -p 127.0.0.1:3000:3000 \
      -e MB_DB_TYPE=postgres -e MB_DB_HOST=insights-db.internal metabase/metabase:v0.50.6
    cat > /etc/nginx/conf.d/metabase.conf <<'NGINX'
    server {
      listen 443 ssl;
      ssl_certificate     /etc/pki/tls/certs/dashboards.crt;
      ssl_certificate_key /etc/pki/tls/private/dashboards.key;
      location / { proxy_pass http://127.0.0.1:3000; }
    }
    NGINX
    systemctl enable --now nginx
  EOT

  tags = {
    Name = "insights-dashboards"
  }
}
