terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "eu-central-1"
}

variable "stage" {
  type    = string
  default = "prod"
}

resource "aws_iam_role" "lambda" {
  name = "loyalty-${var.stage}-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "basic" {
  role       = aws_iam_role.lambda.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

# ---------------------------------------------------------------------------
# Loyalty points API (FastAPI + Mangum) on an HTTP API
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "points_api" {
  function_name = "loyalty-${var.stage}-points-api"
  role          = aws_iam_role.lambda.arn
  runtime       = "python3.12"
  handler       = "app.main.handler"
  filename      = "${path.module}/dist/points-api.zip"
  memory_size   = 1024
  timeout       = 15
  architectures = ["arm64"]

  environment {
    variables = {
      POWERTOOLS_SERVICE_NAME = "points-api"
      STAGE                   = var.stage
    }
  }
}

resource "aws_apigatewayv2_api" "loyalty" {
  name          = "loyalty-${var.stage}"
  protocol_type = "HTTP"

  cors_configuration {
    allow_origins = ["https://shop.acme.example"]
    allow_methods = ["GET", "POST"]
  }
}

resource "aws_apigatewayv2_integration" "points_api" {
  api_id                 = aws_apigatewayv2_api.loyalty.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = aws_lambda_function.points_api.invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 15000
}

resource "aws_apigatewayv2_route" "get_balance" {
  api_id    = aws_apigatewayv2_api.loyalty.id
  route_key = "GET /points/{customerId}"
  target    = "integrations/${aws_apigatewayv2_integration.points_api.id}"
}

resource "aws_apigatewayv2_route" "redeem" {
  api_id    = aws_apigatewayv2_api.loyalty.id
  route_key = "POST /points/{customerId}/redeem"
  target    = "integrations/${aws_apigatewayv2_integration.points_api.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.loyalty.id
  name        = "$default"
  auto_deploy = true
}

resource "aws_lambda_permission" "points_api" {
  statement_id  = "AllowHttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.points_api.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.loyalty.execution_arn}/*/*"
}

# ---------------------------------------------------------------------------
# Live points ticker: WebSocket API, one invocation per message
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "ticker_ws" {
  function_name = "loyalty-${var.stage}-ticker-ws"
  role          = aws_iam_role.lambda.arn
  runtime       = "java21"
  handler       = "com.acme.loyalty.ticker.SocketHandler::handleRequest"
  filename      = "${path.module}/dist/ticker-ws.jar"
  memory_size   = 1536
  timeout       = 10
}

resource "aws_apigatewayv2_api" "ticker" {
  name                       = "loyalty-${var.stage}-ticker"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
}

resource "aws_apigatewayv2_integration" "ticker" {
  api_id           = aws_apigatewayv2_api.ticker.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.ticker_ws.invoke_arn
}

resource "aws_apigatewayv2_route" "ticker_connect" {
  api_id    = aws_apigatewayv2_api.ticker.id
  route_key = "$connect"
  target    = "integrations/${aws_apigatewayv2_integration.ticker.id}"
}

resource "aws_apigatewayv2_route" "ticker_default" {
  api_id    = aws_apigatewayv2_api.ticker.id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.ticker.id}"
}

resource "aws_lambda_permission" "ticker_ws" {
  statement_id  = "AllowWebSocketInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.ticker_ws.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.ticker.execution_arn}/*/*"
}

# ---------------------------------------------------------------------------
# Monthly points expiry: schedule only
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "points_expiry" {
  function_name = "loyalty-${var.stage}-points-expiry"
  role          = aws_iam_role.lambda.arn
  runtime       = "java21"
  handler       = "com.acme.loyalty.expiry.ExpiryJob::handleRequest"
  filename      = "${path.module}/dist/points-expiry.jar"
  memory_size   = 2048
  timeout       = 300
}

resource "aws_scheduler_schedule" "points_expiry" {
  name                         = "loyalty-${var.stage}-points-expiry"
  schedule_expression          = "cron(0 3 1 * ? *)"
  schedule_expression_timezone = "Europe/Berlin"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.points_expiry.arn
    role_arn = "arn:aws:iam::123456789012:role/loyalty-scheduler"
  }
}
