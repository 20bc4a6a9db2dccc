terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.50"
    }
  }
}

provider "aws" {
  region = "us-west-2"
}

locals {
  ecr_repo = "123456789012.dkr.ecr.us-west-2.amazonaws.com/docs-renderer"
}

resource "aws_iam_role" "fn" {
  name = "docs-site-functions"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# ---------------------------------------------------------------------------
# PDF export of a docs page: headless Chromium in a container image,
# called straight from the browser through a function URL.
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "pdf_render" {
  function_name = "docs-pdf-render"
  role          = aws_iam_role.fn.arn
  package_type  = "Image"
  image_uri     = "${local.ecr_repo}:2024.06.1"
  memory_size   = 3008
  timeout       = 60

  image_config {
    command = ["render.handler"]
  }
}

resource "aws_lambda_function_url" "pdf_render" {
  function_name      = aws_lambda_function.pdf_render.function_name
  authorization_type = "NONE"

  cors {
    allow_origins = ["https://docs.acme.example"]
    allow_methods = ["GET"]
  }
}

# ---------------------------------------------------------------------------
# Open Graph preview images: Node.js, URL on the "live" alias which carries
# provisioned concurrency.
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "og_image" {
  function_name = "docs-og-image"
  role          = aws_iam_role.fn.arn
  runtime       = "nodejs20.x"
  handler       = "og.handler"
  filename      = "${path.module}/dist/og-image.zip"
  memory_size   = 1024
  timeout       = 10
  publish       = true
}

resource "aws_lambda_alias" "og_image_live" {
  name             = "live"
  function_name    = aws_lambda_function.og_image.function_name
  function_version = aws_lambda_function.og_image.version
}

resource "aws_lambda_provisioned_concurrency_config" "og_image" {
  function_name                     = aws_lambda_alias.og_image_live.function_name
  qualifier                         = aws_lambda_alias.og_image_live.name
  provisioned_concurrent_executions = 2
}

resource "aws_lambda_function_url" "og_image" {
  function_name      = aws_lambda_function.og_image.function_name
  qualifier          = aws_lambda_alias.og_image_live.name
  authorization_type = "NONE"
}

# ---------------------------------------------------------------------------
# Short share links: same pattern, but the URL was created before the alias
# and still points at the unqualified function ($LATEST), so the warm
# environments on "live" are never used.
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "share_links" {
  function_name = "docs-share-links"
  role          = aws_iam_role.fn.arn
  runtime       = "nodejs20.x"
  handler       = "share.handler"
  filename      = "${path.module}/dist/share-links.zip"
  memory_size   = 512
  timeout       = 5
  publish       = true
}

resource "aws_lambda_alias" "share_links_live" {
  name             = "live"
  function_name    = aws_lambda_function.share_links.function_name
  function_version = aws_lambda_function.share_links.version
}

resource "aws_lambda_provisioned_concurrency_config" "share_links" {
  function_name                     = aws_lambda_alias.share_links_live.function_name
  qualifier                         = aws_lambda_alias.share_links_live.name
  provisioned_concurrent_executions = 1
}

resource "aws_lambda_function_url" "share_links" {
  function_name      = aws_lambda_function.share_links.function_name
  authorization_type = "NONE"
}
