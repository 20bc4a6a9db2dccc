terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.30"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

locals {
  service = "media"
  tags = {
    Team    = "media-platform"
    Service = local.service
  }
}

resource "aws_s3_bucket" "uploads" {
  bucket = "acme-media-uploads"
}

# ---------------------------------------------------------------------------
# Video transcode: registry Lambda module, S3-triggered, close to the limit
# ---------------------------------------------------------------------------

module "transcode" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "media-transcode"
  description   = "Transcodes uploaded clips to HLS renditions"
  handler       = "transcode.handler"
  runtime       = "python3.12"
  architectures = ["x86_64"]
  memory_size   = 10240
  timeout       = 840

  ephemeral_storage_size = 10240

  source_path = "${path.module}/src/transcode"

  allowed_triggers = {
    S3Uploads = {
      principal  = "s3.amazonaws.com"
      source_arn = aws_s3_bucket.uploads.arn
    }
  }

  tags = local.tags
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id

  lambda_function {
    lambda_function_arn = module.transcode.lambda_function_arn
    events              = ["s3:ObjectCreated:*"]
    filter_suffix       = ".mov"
  }
}

# ---------------------------------------------------------------------------
# Media search API: registry Lambda module (Java) behind an HTTP API
# ---------------------------------------------------------------------------

module "search_api" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "media-search-api"
  description   = "GET /search - Micronaut handler"
  handler       = "com.acme.media.search.ApiHandler::handleRequest"
  runtime       = "java21"
  memory_size   = 2048
  timeout       = 20

  create_package         = false
  local_existing_package = "${path.module}/build/search-api-all.jar"

  allowed_triggers = {
    HttpApi = {
      service    = "apigateway"
      source_arn = "${aws_apigatewayv2_api.media.execution_arn}/*/*"
    }
  }

  tags = local.tags
}

resource "aws_apigatewayv2_api" "media" {
  name          = "media-public"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "search" {
  api_id                 = aws_apigatewayv2_api.media.id
  integration_type       = "AWS_PROXY"
  integration_uri        = module.search_api.lambda_function_invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "search" {
  api_id    = aws_apigatewayv2_api.media.id
  route_key = "GET /search"
  target    = "integrations/${aws_apigatewayv2_integration.search.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.media.id
  name        = "$default"
  auto_deploy = true
}

# ---------------------------------------------------------------------------
# Local module: SQS-driven workers, one per pipeline stage
# ---------------------------------------------------------------------------

module "metadata_worker" {
  source = "./modules/queue-worker"

  name        = "media-metadata"
  handler     = "metadata.handler"
  package     = "${path.module}/build/metadata.zip"
  timeout     = 60
  memory_size = 512
}

module "archive_worker" {
  source = "./modules/queue-worker"

  name        = "media-archive"
  handler     = "archive.handler"
  package     = "${path.module}/build/archive.zip"
  timeout     = 1800
  memory_size = 1024
}
