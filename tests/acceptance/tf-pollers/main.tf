terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.40" }
  }
}

locals {
  role_arn = "arn:aws:iam::123456789012:role/integrations-lambda"
  bucket   = "acme-integrations-artifacts"
}

# Polls the partner's SFTP drop every minute and waits up to a minute for files
resource "aws_lambda_function" "sftp_poller" {
  function_name = "partner-sftp-poller"
  role          = local.role_arn
  runtime       = "python3.12"
  handler       = "poll.handler"
  s3_bucket     = local.bucket
  s3_key        = "sftp-poller.zip"
  memory_size   = 256
  timeout       = 60
}

resource "aws_cloudwatch_event_rule" "every_minute" {
  name                = "partner-sftp-every-minute"
  schedule_expression = "rate(1 minute)"
}

resource "aws_cloudwatch_event_target" "sftp_poller" {
  rule = aws_cloudwatch_event_rule.every_minute.name
  arn  = aws_lambda_function.sftp_poller.arn
}

resource "aws_lambda_permission" "sftp_poller" {
  statement_id  = "AllowEventBridge"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.sftp_poller.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.every_minute.arn
}

# Drains the legacy ERP's outbox table every 5 minutes, up to 3 minutes a run
resource "aws_lambda_function" "erp_outbox" {
  function_name = "erp-outbox-drain"
  role          = local.role_arn
  runtime       = "nodejs20.x"
  handler       = "outbox.handler"
  s3_bucket     = local.bucket
  s3_key        = "erp-outbox.zip"
  memory_size   = 512
  timeout       = 180
}

resource "aws_scheduler_schedule" "erp_outbox" {
  name                = "erp-outbox-drain"
  schedule_expression = "rate(5 minutes)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.erp_outbox.arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke"
  }
}

# Carrier tracking updates: every 2 minutes, 90 s timeout
resource "aws_lambda_function" "tracking_sync" {
  function_name = "carrier-tracking-sync"
  role          = local.role_arn
  runtime       = "python3.12"
  handler       = "tracking.handler"
  s3_bucket     = local.bucket
  s3_key        = "tracking.zip"
  memory_size   = 256
  timeout       = 90
}

resource "aws_scheduler_schedule" "tracking_sync" {
  name                = "carrier-tracking-sync"
  schedule_expression = "cron(*/2 * * * ? *)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.tracking_sync.arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke"
  }
}

# Heartbeat every minute, but it finishes in seconds (timeout 20 s)
resource "aws_lambda_function" "heartbeat" {
  function_name = "integrations-heartbeat"
  role          = local.role_arn
  runtime       = "python3.12"
  handler       = "heartbeat.handler"
  s3_bucket     = local.bucket
  s3_key        = "heartbeat.zip"
  memory_size   = 128
  timeout       = 20
}

resource "aws_scheduler_schedule" "heartbeat" {
  name                = "integrations-heartbeat"
  schedule_expression = "rate(1 minute)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.heartbeat.arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke"
  }
}

# FX rates refresh every 10 minutes with a 5-minute timeout: less frequent than every 5 minutes
resource "aws_lambda_function" "fx_rates" {
  function_name = "fx-rates-refresh"
  role          = local.role_arn
  runtime       = "python3.12"
  handler       = "fx.handler"
  s3_bucket     = local.bucket
  s3_key        = "fx.zip"
  memory_size   = 256
  timeout       = 300
}

resource "aws_scheduler_schedule" "fx_rates" {
  name                = "fx-rates-refresh"
  schedule_expression = "rate(10 minutes)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.fx_rates.arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke"
  }
}
