data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "kyc" {
  name               = "kyc-checks"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_lambda_function" "document_check" {
  function_name = "kyc-document-check"
  role          = aws_iam_role.kyc.arn
  runtime       = "java21"
  handler       = "com.northwind.kyc.DocumentCheck::handleRequest"
  filename      = "build/kyc.jar"
  memory_size   = 3008
  timeout       = 180
  publish       = true
}

resource "aws_lambda_alias" "document_check_live" {
  name             = "live"
  function_name    = aws_lambda_function.document_check.function_name
  function_version = aws_lambda_function.document_check.version
}

resource "aws_lambda_provisioned_concurrency_config" "document_check" {
  function_name                     = aws_lambda_alias.document_check_live.function_name
  qualifier                         = aws_lambda_alias.document_check_live.name
  provisioned_concurrent_executions = 6
}

resource "aws_lambda_function" "sanctions_screen" {
  function_name = "kyc-sanctions-screen"
  role          = aws_iam_role.kyc.arn
  runtime       = "python3.12"
  handler       = "screen.handler"
  filename      = "build/screen.zip"
  timeout       = 60
}

resource "aws_lambda_function" "refund" {
  function_name = "kyc-refund-deposit"
  role          = aws_iam_role.kyc.arn
  runtime       = "nodejs20.x"
  handler       = "refund.handler"
  filename      = "build/refund.zip"
  timeout       = 30
  publish       = true
}

resource "aws_lambda_alias" "refund_live" {
  name             = "live"
  function_name    = aws_lambda_function.refund.function_name
  function_version = aws_lambda_function.refund.version
}

resource "aws_lambda_provisioned_concurrency_config" "refund" {
  function_name                     = aws_lambda_alias.refund_live.function_name
  qualifier                         = aws_lambda_alias.refund_live.name
  provisioned_concurrent_executions = 2
}
