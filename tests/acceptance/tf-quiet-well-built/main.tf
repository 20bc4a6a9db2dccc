terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.40" }
  }
}

locals {
  role   = "arn:aws:iam::123456789012:role/members-lambda"
  bucket = "acme-members-artifacts"
}

# --- Sign-up: Cognito trigger within its 5 s ---------------------------------

resource "aws_lambda_function" "presignup" {
  function_name = "members-presignup"
  role          = local.role
  runtime       = "nodejs20.x"
  handler       = "presignup.handler"
  s3_bucket     = local.bucket
  s3_key        = "presignup.zip"
  timeout       = 5
}

resource "aws_cognito_user_pool" "members" {
  name = "members"

  lambda_config {
    pre_sign_up = aws_lambda_function.presignup.arn
  }
}

resource "aws_lambda_permission" "cognito" {
  statement_id  = "AllowCognito"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.presignup.function_name
  principal     = "cognito-idp.amazonaws.com"
  source_arn    = aws_cognito_user_pool.members.arn
}

# --- Members API: HTTP API on a warm alias (one environment) -------------------

resource "aws_lambda_function" "members_api" {
  function_name = "members-api"
  role          = local.role
  runtime       = "python3.12"
  handler       = "api.handler"
  s3_bucket     = local.bucket
  s3_key        = "api.zip"
  memory_size   = 1024
  timeout       = 25
  publish       = true
}

resource "aws_lambda_alias" "members_api_live" {
  name             = "live"
  function_name    = aws_lambda_function.members_api.function_name
  function_version = aws_lambda_function.members_api.version
}

resource "aws_lambda_provisioned_concurrency_config" "members_api" {
  function_name                     = aws_lambda_alias.members_api_live.function_name
  qualifier                         = aws_lambda_alias.members_api_live.name
  provisioned_concurrent_executions = 1
}

resource "aws_apigatewayv2_api" "members" {
  name          = "members"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "members" {
  api_id                 = aws_apigatewayv2_api.members.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_alias.members_api_live.invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

# --- Live chat: WebSocket API, long-lived handler is fine ---------------------

resource "aws_lambda_function" "chat" {
  function_name = "members-chat"
  role          = local.role
  runtime       = "nodejs20.x"
  handler       = "chat.handler"
  s3_bucket     = local.bucket
  s3_key        = "chat.zip"
  timeout       = 120
}

resource "aws_apigatewayv2_api" "chat" {
  name                       = "members-chat"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
}

resource "aws_apigatewayv2_integration" "chat" {
  api_id           = aws_apigatewayv2_api.chat.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.chat.invoke_arn
}

# --- Nightly export: registry module, EventBridge Scheduler on weekdays -------------

module "nightly_export" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "members-nightly-export"
  handler       = "export.handler"
  runtime       = "python3.12"
  memory_size   = 4096
  timeout       = 600
  source_path   = "${path.module}/src/export"
}

resource "aws_scheduler_schedule" "nightly_export" {
  name                         = "members-nightly-export"
  schedule_expression          = "cron(0 1 ? * MON-FRI *)"
  schedule_expression_timezone = "Europe/Amsterdam"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.nightly_export.lambda_function_arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke"
    retry_policy {
      maximum_retry_attempts = 2
    }
  }
}

# --- Email queue consumer: visibility 6 x timeout, nothing warm ---------------------

resource "aws_sqs_queue" "emails" {
  name                       = "members-emails"
  visibility_timeout_seconds = 180
}

resource "aws_lambda_function" "emails" {
  function_name = "members-emails"
  role          = local.role
  runtime       = "nodejs20.x"
  handler       = "emails.handler"
  s3_bucket     = local.bucket
  s3_key        = "emails.zip"
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "emails" {
  event_source_arn        = aws_sqs_queue.emails.arn
  function_name           = aws_lambda_function.emails.arn
  function_response_types = ["ReportBatchItemFailures"]
}

# --- Hourly cache warmer: frequent enough to notice, but short -------------------

resource "aws_lambda_function" "cache_warmer" {
  function_name = "members-cache-warmer"
  role          = local.role
  runtime       = "python3.12"
  handler       = "warm.handler"
  s3_bucket     = local.bucket
  s3_key        = "warm.zip"
  timeout       = 60
}

resource "aws_scheduler_schedule" "cache_warmer" {
  name                = "members-cache-warmer"
  schedule_expression = "rate(1 hour)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.cache_warmer.arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke"
  }
}
