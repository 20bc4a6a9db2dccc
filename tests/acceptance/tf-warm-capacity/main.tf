terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

variable "env" {
  type    = string
  default = "prod"
}

locals {
  artifacts = "artifacts-${var.env}"
}

# Quote API: Java with SnapStart, but nothing publishes a version and the API calls $LATEST
resource "aws_lambda_function" "quote" {
  function_name = "quote-${var.env}"
  role          = "arn:aws:iam::123456789012:role/quote"
  runtime       = "java21"
  handler       = "com.acme.quote.Handler::handleRequest"
  s3_bucket     = local.artifacts
  s3_key        = "quote.jar"
  memory_size   = 1536

  snap_start {
    apply_on = "PublishedVersions"
  }
}

resource "aws_apigatewayv2_api" "public" {
  name          = "public-${var.env}"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "quote" {
  api_id                 = aws_apigatewayv2_api.public.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.quote.invoke_arn
  payload_format_version = "2.0"
}

# Thumbnails: Node.js with SnapStart copied from the Java functions
resource "aws_lambda_function" "thumbnail" {
  function_name = "thumbnail-${var.env}"
  role          = "arn:aws:iam::123456789012:role/thumbnail"
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  s3_bucket     = local.artifacts
  s3_key        = "thumbnail.zip"
  publish       = true

  snap_start {
    apply_on = "PublishedVersions"
  }
}

resource "aws_s3_bucket" "uploads" {
  bucket = "uploads-${var.env}"
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.thumbnail.arn
    events              = ["s3:ObjectCreated:*"]
  }
}

# Click stream consumer kept warm "to keep up"
resource "aws_lambda_function" "clicks" {
  function_name = "clicks-${var.env}"
  role          = "arn:aws:iam::123456789012:role/clicks"
  runtime       = "python3.12"
  handler       = "app.handler"
  s3_bucket     = local.artifacts
  s3_key        = "clicks.zip"
  memory_size   = 1024
  publish       = true
}

resource "aws_lambda_alias" "clicks_live" {
  name             = "live"
  function_name    = aws_lambda_function.clicks.function_name
  function_version = aws_lambda_function.clicks.version
}

resource "aws_lambda_provisioned_concurrency_config" "clicks" {
  function_name                     = aws_lambda_alias.clicks_live.function_name
  qualifier                         = aws_lambda_alias.clicks_live.name
  provisioned_concurrent_executions = 2
}

resource "aws_kinesis_stream" "clicks" {
  name        = "clicks-${var.env}"
  shard_count = 4
}

resource "aws_lambda_event_source_mapping" "clicks" {
  event_source_arn  = aws_kinesis_stream.clicks.arn
  function_name     = aws_lambda_alias.clicks_live.arn
  starting_position = "LATEST"
  batch_size        = 500
}

# Web front end behind the ALB: warm and scaled with the working day
resource "aws_lambda_function" "web" {
  function_name = "web-${var.env}"
  role          = "arn:aws:iam::123456789012:role/web"
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  s3_bucket     = local.artifacts
  s3_key        = "web.zip"
  memory_size   = 1024
  publish       = true
}

resource "aws_lambda_alias" "web_live" {
  name             = "live"
  function_name    = aws_lambda_function.web.function_name
  function_version = aws_lambda_function.web.version
}

resource "aws_lambda_provisioned_concurrency_config" "web" {
  function_name                     = aws_lambda_alias.web_live.function_name
  qualifier                         = aws_lambda_alias.web_live.name
  provisioned_concurrent_executions = 6
}

resource "aws_lb_target_group" "web" {
  name        = "web-${var.env}"
  target_type = "lambda"
}

resource "aws_lb_target_group_attachment" "web" {
  target_group_arn = aws_lb_target_group.web.arn
  target_id        = aws_lambda_alias.web_live.arn
}

resource "aws_appautoscaling_target" "web" {
  service_namespace  = "lambda"
  scalable_dimension = "lambda:function:ProvisionedConcurrency"
  resource_id        = "function:${aws_lambda_function.web.function_name}:${aws_lambda_alias.web_live.name}"
  min_capacity       = 1
  max_capacity       = 6
}

resource "aws_appautoscaling_scheduled_action" "web_day" {
  name               = "web-day"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension
  schedule           = "cron(0 7 ? * MON-FRI *)"
  scalable_target_action {
    min_capacity = 6
    max_capacity = 6
  }
}
