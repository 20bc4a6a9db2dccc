terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.60" }
  }
}

variable "artifact_bucket" {
  type    = string
  default = "acme-claims-artifacts"
}

resource "aws_api_gateway_rest_api" "claims" {
  name = "claims"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "claims" {
  rest_api_id = aws_api_gateway_rest_api.claims.id
  parent_id   = aws_api_gateway_rest_api.claims.root_resource_id
  path_part   = "claims"
}

resource "aws_api_gateway_resource" "documents" {
  rest_api_id = aws_api_gateway_rest_api.claims.id
  parent_id   = aws_api_gateway_resource.claims.id
  path_part   = "documents"
}

resource "aws_api_gateway_resource" "quotes" {
  rest_api_id = aws_api_gateway_rest_api.claims.id
  parent_id   = aws_api_gateway_rest_api.claims.root_resource_id
  path_part   = "quotes"
}

# ---------------------------------------------------------------------------
# Claims API: Spring Boot on java21 with SnapStart, a published version and an
# alias... but the integration calls the function's unqualified invoke ARN.
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "claims_api" {
  function_name = "claims-api"
  role          = "arn:aws:iam::123456789012:role/claims-api"
  runtime       = "java21"
  handler       = "com.acme.claims.StreamLambdaHandler::handleRequest"
  s3_bucket     = var.artifact_bucket
  s3_key        = "claims-api.jar"
  memory_size   = 2048
  timeout       = 40
  publish       = true

  snap_start {
    apply_on = "PublishedVersions"
  }
}

resource "aws_lambda_alias" "claims_api_live" {
  name             = "live"
  function_name    = aws_lambda_function.claims_api.function_name
  function_version = aws_lambda_function.claims_api.version
}

resource "aws_api_gateway_method" "claims_post" {
  rest_api_id   = aws_api_gateway_rest_api.claims.id
  resource_id   = aws_api_gateway_resource.claims.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "claims_post" {
  rest_api_id             = aws_api_gateway_rest_api.claims.id
  resource_id             = aws_api_gateway_resource.claims.id
  http_method             = aws_api_gateway_method.claims_post.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.claims_api.invoke_arn
}

# ---------------------------------------------------------------------------
# Quote API: same stack, wired right (the integration invokes the alias)
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "quote_api" {
  function_name = "claims-quote-api"
  role          = "arn:aws:iam::123456789012:role/claims-api"
  runtime       = "java21"
  handler       = "com.acme.quote.StreamLambdaHandler::handleRequest"
  s3_bucket     = var.artifact_bucket
  s3_key        = "quote-api.jar"
  memory_size   = 2048
  timeout       = 25
  publish       = true

  snap_start {
    apply_on = "PublishedVersions"
  }
}

resource "aws_lambda_alias" "quote_api_live" {
  name             = "live"
  function_name    = aws_lambda_function.quote_api.function_name
  function_version = aws_lambda_function.quote_api.version
}

resource "aws_api_gateway_method" "quote_get" {
  rest_api_id   = aws_api_gateway_rest_api.claims.id
  resource_id   = aws_api_gateway_resource.quotes.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "quote_get" {
  rest_api_id             = aws_api_gateway_rest_api.claims.id
  resource_id             = aws_api_gateway_resource.quotes.id
  http_method             = aws_api_gateway_method.quote_get.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_alias.quote_api_live.invoke_arn
}

# ---------------------------------------------------------------------------
# Document bundling: Python, Regional API with the integration raised to 120 s
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "documents" {
  function_name = "claims-documents"
  role          = "arn:aws:iam::123456789012:role/claims-api"
  runtime       = "python3.12"
  handler       = "bundle.handler"
  s3_bucket     = var.artifact_bucket
  s3_key        = "documents.zip"
  memory_size   = 1024
  timeout       = 90
}

resource "aws_api_gateway_method" "documents_get" {
  rest_api_id   = aws_api_gateway_rest_api.claims.id
  resource_id   = aws_api_gateway_resource.documents.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "documents_get" {
  rest_api_id             = aws_api_gateway_rest_api.claims.id
  resource_id             = aws_api_gateway_resource.documents.id
  http_method             = aws_api_gateway_method.documents_get.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.documents.invoke_arn
  timeout_milliseconds    = 120000
}
