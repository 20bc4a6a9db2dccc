provider "aws" {
  region = "us-east-1"
}

# Checkout quote API: warm capacity switched on for trading hours by a pipeline job.
resource "aws_lambda_function" "quote" {
  function_name = "checkout-quote"
  role          = "arn:aws:iam::123456789012:role/quote"
  handler       = "com.example.quote.Handler::handleRequest"
  runtime       = "java21"
  filename      = "build/quote.jar"
  memory_size   = 2048
  timeout       = 15
  publish       = true
}

resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.quote.function_name
  function_version = aws_lambda_function.quote.version
}

resource "aws_lambda_provisioned_concurrency_config" "quote" {
  function_name                     = aws_lambda_function.quote.function_name
  qualifier                         = aws_lambda_alias.live.name
  provisioned_concurrent_executions = 4
}

resource "aws_lambda_function_url" "quote" {
  function_name      = aws_lambda_function.quote.function_name
  qualifier          = aws_lambda_alias.live.name
  authorization_type = "AWS_IAM"
}
