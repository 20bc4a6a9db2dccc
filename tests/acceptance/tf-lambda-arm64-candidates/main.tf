# Media service functions (team: media). Zip packages are built by CI into s3://acme-lambda-artifacts.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.30" }
  }
}

provider "aws" {
  region = "us-east-1"
}

locals {
  artifacts = "acme-lambda-artifacts"
  role_arn  = "arn:aws:iam::123456789012:role/media-lambda"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "acme-media-uploads"
}

# Thumbnails for every upload (Pillow wheel vendored in the zip).
resource "aws_lambda_function" "thumbnailer" {
  function_name = "media-thumbnailer"
  role          = local.role_arn
  runtime       = "python3.12"
  handler       = "thumbs.handler"
  s3_bucket     = local.artifacts
  s3_key        = "thumbnailer/1.9.0.zip"
  memory_size   = 1024
  timeout       = 30
}

resource "aws_lambda_permission" "uploads" {
  statement_id  = "AllowS3"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.thumbnailer.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = aws_s3_bucket.uploads.arn
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id

  lambda_function {
    lambda_function_arn = aws_lambda_function.thumbnailer.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "incoming/"
  }
}

# Hourly digest of new uploads for the moderators' Slack channel.
resource "aws_lambda_function" "digest" {
  function_name = "media-moderation-digest"
  role          = local.role_arn
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  architectures = ["x86_64"]
  filename      = "${path.module}/build/digest.zip"
  memory_size   = 512
  timeout       = 60
}

resource "aws_scheduler_schedule" "digest" {
  name                = "media-moderation-digest"
  schedule_expression = "rate(1 hour)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.digest.arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke"
  }
}

# Metadata extraction (Apache Tika in a fat jar), fed by SQS.
resource "aws_sqs_queue" "extract" {
  name                       = "media-extract"
  visibility_timeout_seconds = 900
}

resource "aws_lambda_function" "extract" {
  function_name = "media-metadata-extract"
  role          = local.role_arn
  runtime       = "java21"
  handler       = "com.acme.media.Extract::handleRequest"
  s3_bucket     = local.artifacts
  s3_key        = "extract/extract-4.1.0-all.jar"
  memory_size   = 2048
  timeout       = 120
}

resource "aws_lambda_event_source_mapping" "extract" {
  event_source_arn = aws_sqs_queue.extract.arn
  function_name    = aws_lambda_function.extract.arn
  batch_size       = 5
}

# Legacy caption sync, still on Python 3.7 (never offered on arm64).
resource "aws_lambda_function" "caption_sync" {
  function_name = "media-caption-sync"
  role          = local.role_arn
  runtime       = "python3.7"
  handler       = "sync.handler"
  filename      = "${path.module}/build/caption-sync.zip"
  timeout       = 60
}

# Already on Graviton.
resource "aws_lambda_function" "watermark" {
  function_name = "media-watermark"
  role          = local.role_arn
  runtime       = "python3.12"
  handler       = "wm.handler"
  architectures = ["arm64"]
  s3_bucket     = local.artifacts
  s3_key        = "watermark/0.4.2.zip"
  memory_size   = 1536
  timeout       = 30
}

# ffmpeg in a container image: would need an arm64 image build.
resource "aws_lambda_function" "clipper" {
  function_name = "media-clipper"
  role          = local.role_arn
  package_type  = "Image"
  image_uri     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/media/clipper:2.0.1"
  memory_size   = 3008
  timeout       = 300
}

# Rust signer, built as a bootstrap binary for x86_64.
resource "aws_lambda_function" "url_signer" {
  function_name = "media-url-signer"
  role          = local.role_arn
  runtime       = "provided.al2023"
  handler       = "bootstrap"
  filename      = "${path.module}/build/url-signer.zip"
  memory_size   = 128
  timeout       = 3
}

# Transcript indexer through the community module (no architectures input: x86_64).
module "transcript_indexer" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "7.2.1"

  function_name = "media-transcript-indexer"
  handler       = "indexer.handler"
  runtime       = "python3.11"
  memory_size   = 512
  timeout       = 60

  create_package         = false
  local_existing_package = "${path.module}/build/indexer.zip"
}
