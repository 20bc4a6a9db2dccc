variable "environment" {
  type = string
}

variable "timeout" {
  description = "Seconds an export run may take"
  type        = number
  default     = 900
}

variable "schedule" {
  type    = string
  default = "cron(0 5 * * ? *)"
}

resource "aws_iam_role" "this" {
  name = "batch-export-${var.environment}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "this" {
  function_name = "batch-export-${var.environment}"
  role          = aws_iam_role.this.arn
  runtime       = "python3.12"
  architectures = ["arm64"]
  handler       = "export.handler"
  filename      = "${path.module}/../../dist/export.zip"
  timeout       = var.timeout
  memory_size   = 1024
}

resource "aws_scheduler_schedule" "this" {
  name                = "batch-export-${var.environment}"
  schedule_expression = var.schedule
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.this.arn
    role_arn = aws_iam_role.this.arn
  }
}
