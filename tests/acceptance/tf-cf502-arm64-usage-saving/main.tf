provider "aws" {
  region = "us-east-1"
}

resource "aws_sqs_queue" "orders" {
  name                       = "order-events"
  visibility_timeout_seconds = 180
}

# Order event fan-out: pure Python, no compiled wheels.
resource "aws_lambda_function" "order_events" {
  function_name = "order-events"
  role          = "arn:aws:iam::123456789012:role/order-events"
  handler       = "events.handler"
  runtime       = "python3.12"
  filename      = "build/events.zip"
  memory_size   = 1024
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn = aws_sqs_queue.orders.arn
  function_name    = aws_lambda_function.order_events.arn
}

# Same volume, already on Graviton.
resource "aws_lambda_function" "audit_events" {
  function_name = "audit-events"
  role          = "arn:aws:iam::123456789012:role/audit-events"
  handler       = "audit.handler"
  runtime       = "python3.12"
  filename      = "build/audit.zip"
  memory_size   = 1024
  timeout       = 30
  architectures = ["arm64"]
}

# Container image: moving it means a rebuild for arm64.
resource "aws_lambda_function" "pdf_export" {
  function_name = "pdf-export"
  role          = "arn:aws:iam::123456789012:role/pdf-export"
  package_type  = "Image"
  image_uri     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/pdf-export:2.1.0"
  memory_size   = 1024
  timeout       = 30
}
