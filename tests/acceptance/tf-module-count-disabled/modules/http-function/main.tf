variable "name" { type = string }
variable "runtime" { type = string }
variable "handler" { type = string }
variable "package" { type = string }
variable "timeout" {
  type    = number
  default = 10
}
variable "memory_size" {
  type    = number
  default = 256
}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "this" {
  function_name = var.name
  role          = aws_iam_role.this.arn
  runtime       = var.runtime
  handler       = var.handler
  filename      = var.package
  timeout       = var.timeout
  memory_size   = var.memory_size
}

resource "aws_lambda_function_url" "this" {
  function_name      = aws_lambda_function.this.function_name
  authorization_type = "AWS_IAM"
}

output "url" {
  value = aws_lambda_function_url.this.function_url
}
