terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.40" }
  }
}

# ---------------------------------------------------------------------------
# Fulfilment: registry SQS + Lambda modules, kept warm "so orders never wait"
# ---------------------------------------------------------------------------

module "orders_queue" {
  source  = "terraform-aws-modules/sqs/aws"
  version = "~> 4.1"

  name                       = "fulfilment-orders"
  visibility_timeout_seconds = 360
  create_dlq                 = true
}

module "fulfilment" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "fulfilment-worker"
  handler       = "worker.handler"
  runtime       = "python3.12"
  memory_size   = 1024
  timeout       = 60
  source_path   = "${path.module}/src/fulfilment"

  publish                           = true
  provisioned_concurrent_executions = 5

  event_source_mapping = {
    sqs = {
      event_source_arn        = module.orders_queue.queue_arn
      function_response_types = ["ReportBatchItemFailures"]
      batch_size              = 10
    }
  }

  allowed_triggers = {
    sqs = {
      principal  = "sqs.amazonaws.com"
      source_arn = module.orders_queue.queue_arn
    }
  }

  attach_policy_statements = true
  policy_statements = {
    sqs = {
      effect    = "Allow"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      resources = [module.orders_queue.queue_arn]
    }
  }
}

# ---------------------------------------------------------------------------
# Refunds: hand-written, one warm environment on the alias the queue invokes
# ---------------------------------------------------------------------------

resource "aws_sqs_queue" "refunds" {
  name                       = "refunds"
  visibility_timeout_seconds = 30
}

resource "aws_lambda_function" "refunds" {
  function_name = "refunds-worker"
  role          = "arn:aws:iam::123456789012:role/refunds-worker"
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  s3_bucket     = "acme-artifacts"
  s3_key        = "refunds.zip"
  memory_size   = 512
  timeout       = 60
  publish       = true
}

resource "aws_lambda_alias" "refunds_live" {
  name             = "live"
  function_name    = aws_lambda_function.refunds.function_name
  function_version = aws_lambda_function.refunds.version
}

resource "aws_lambda_provisioned_concurrency_config" "refunds" {
  function_name                     = aws_lambda_alias.refunds_live.function_name
  qualifier                         = aws_lambda_alias.refunds_live.name
  provisioned_concurrent_executions = 1
}

resource "aws_lambda_event_source_mapping" "refunds" {
  event_source_arn = aws_sqs_queue.refunds.arn
  function_name    = aws_lambda_alias.refunds_live.arn
  batch_size       = 5
}

# ---------------------------------------------------------------------------
# Notifications: plain SQS consumer, nothing warm (the way it should be)
# ---------------------------------------------------------------------------

resource "aws_sqs_queue" "notifications" {
  name                       = "notifications"
  visibility_timeout_seconds = 180
}

resource "aws_lambda_function" "notifications" {
  function_name = "notifications-worker"
  role          = "arn:aws:iam::123456789012:role/notifications-worker"
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  s3_bucket     = "acme-artifacts"
  s3_key        = "notifications.zip"
  memory_size   = 256
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "notifications" {
  event_source_arn = aws_sqs_queue.notifications.arn
  function_name    = aws_lambda_function.notifications.arn
}
