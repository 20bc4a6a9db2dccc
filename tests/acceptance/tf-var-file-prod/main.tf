provider "aws" {
  region = "eu-central-1"
  default_tags {
    tags = { environment = var.environment, service = "settlement" }
  }
}

resource "aws_iam_role" "settlement" {
  name = "settlement-${var.environment}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "settlement" {
  function_name = "settlement-${var.environment}"
  role          = aws_iam_role.settlement.arn
  runtime       = "python3.12"
  architectures = ["arm64"]
  handler       = "settlement.run"
  filename      = "dist/settlement.zip"
  timeout       = var.settlement_timeout
  memory_size   = var.settlement_memory
}

resource "aws_scheduler_schedule" "settlement" {
  name                = "settlement-${var.environment}"
  schedule_expression = "cron(15 0 * * ? *)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.settlement.arn
    role_arn = aws_iam_role.settlement.arn
  }
}
