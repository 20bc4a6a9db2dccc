data "aws_ssm_parameter" "portal_live" {
  name = "/commerce/partner-portal/live"
}

locals {
  create = var.create
  tags = {
    service = "catalog"
    owner   = "commerce-platform"
  }
}

resource "aws_iam_role" "lambda" {
  count = local.create ? 1 : 0
  name  = "catalog-lambda"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "catalog_search" {
  count         = local.create ? 1 : 0
  function_name = "catalog-search"
  role          = aws_iam_role.lambda[0].arn
  runtime       = "java21"
  handler       = "com.acme.catalog.SearchHandler::handleRequest"
  filename      = "build/catalog-search.zip"
  memory_size   = 2048
  timeout       = 15
  tags          = local.tags
}

resource "aws_lambda_function_url" "catalog_search" {
  count              = local.create && var.create_search_url ? 1 : 0
  function_name      = aws_lambda_function.catalog_search[0].function_name
  authorization_type = "NONE"
}

resource "aws_lambda_function" "price_export" {
  count         = local.create ? 1 : 0
  function_name = "price-export"
  role          = aws_iam_role.lambda[0].arn
  runtime       = "java21"
  handler       = "com.acme.catalog.PriceExport::handleRequest"
  filename      = "build/price-export.zip"
  memory_size   = 1024
  timeout       = 20
  publish       = true
  tags          = local.tags
}

# Off by default: the portal integration is not live yet.
resource "aws_lambda_function_url" "price_export" {
  count              = local.create && var.create_export_url ? 1 : 0
  function_name      = aws_lambda_function.price_export[0].function_name
  authorization_type = "AWS_IAM"
}

resource "aws_lambda_alias" "price_export_live" {
  count            = var.create_export_alias && data.aws_ssm_parameter.portal_live.value == "true" ? 1 : 0
  name             = "live"
  function_name    = aws_lambda_function.price_export[0].function_name
  function_version = aws_lambda_function.price_export[0].version
}

# Would be warm capacity for a function nothing latency-sensitive calls, but the alias is off.
resource "aws_lambda_provisioned_concurrency_config" "price_export" {
  count                             = local.create && var.create_export_alias && var.export_provisioned_concurrency > 0 ? 1 : 0
  function_name                     = aws_lambda_function.price_export[0].function_name
  qualifier                         = aws_lambda_alias.price_export_live[0].name
  provisioned_concurrent_executions = var.export_provisioned_concurrency
}
