terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

locals {
  invoice_bucket = "acme-${var.environment}-invoices"
  common_tags = {
    Team        = "billing"
    Environment = var.environment
  }
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }
}

# Renders invoices once a week: an always-on instance for a weekly cron job.
resource "aws_instance" "invoice_batch" {
  ami           = data.aws_ami.al2023.id
  instance_type = var.batch_instance_type
  user_data = templatefile("${path.module}/templates/invoice-batch.sh", {
    bucket      = local.invoice_bucket
    environment = var.environment
  })
  tags = merge(local.common_tags, { Name = "invoice-batch" })
}

# Web server with a housekeeping cron job: the cron job is not its purpose.
resource "aws_instance" "web" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.small"
  user_data     = file("${path.module}/templates/web.sh")
  tags          = merge(local.common_tags, { Name = "billing-web" })
}

resource "aws_iam_role" "lambda" {
  name = "billing-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# Payment reconciliation: the tfvars file raises the timeout close to the 15-minute limit.
resource "aws_lambda_function" "reconcile" {
  function_name = "billing-reconcile"
  role          = aws_iam_role.lambda.arn
  runtime       = "python3.12"
  handler       = "reconcile.handler"
  filename      = "build/reconcile.zip"
  memory_size   = 2048
  timeout       = var.reconcile_timeout
  architectures = ["arm64"]
  tags          = local.common_tags
}

resource "aws_scheduler_schedule" "reconcile_hourly" {
  name                = "billing-reconcile-hourly"
  schedule_expression = "rate(1 hour)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.reconcile.arn
    role_arn = aws_iam_role.lambda.arn
  }
}

# Public invoice download API: a .NET 8 function behind an HTTP API.
resource "aws_lambda_function" "invoice_api" {
  function_name = "billing-invoice-api"
  role          = aws_iam_role.lambda.arn
  runtime       = "dotnet8"
  handler       = "InvoiceApi::InvoiceApi.LambdaEntryPoint::FunctionHandlerAsync"
  filename      = "build/invoice-api.zip"
  memory_size   = 1024
  timeout       = 15
  tags          = local.common_tags
}

resource "aws_apigatewayv2_api" "billing" {
  name          = "billing-http"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "invoice_api" {
  api_id                 = aws_apigatewayv2_api.billing.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.invoice_api.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "get_invoice" {
  api_id    = aws_apigatewayv2_api.billing.id
  route_key = "GET /invoices/{id}"
  target    = "integrations/${aws_apigatewayv2_integration.invoice_api.id}"
}
