locals {
  name_prefix = "catalog-${var.environment}"
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "sync" {
  name               = "${local.name_prefix}-sync"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

resource "aws_iam_role_policy_attachment" "sync_basic" {
  role       = aws_iam_role.sync.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_s3_bucket" "feeds" {
  bucket = "${local.name_prefix}-supplier-feeds"
}

resource "aws_s3_bucket" "images" {
  bucket = "${local.name_prefix}-product-images"
}

# ---------------------------------------------------------------------------
# Supplier feed import: one SQS message per feed file
# ---------------------------------------------------------------------------

resource "aws_sqs_queue" "feed_import" {
  name                       = "${local.name_prefix}-feed-import"
  visibility_timeout_seconds = 6 * var.import_timeout
  message_retention_seconds  = 345600
}

resource "aws_lambda_function" "feed_import" {
  function_name = "${local.name_prefix}-feed-import"
  role          = aws_iam_role.sync.arn
  runtime       = "python3.12"
  handler       = "feed_import.handler"
  filename      = "${path.module}/build/feed_import.zip"
  memory_size   = var.lambda_memory
  timeout       = var.import_timeout

  environment {
    variables = {
      FEED_BUCKET = aws_s3_bucket.feeds.bucket
    }
  }
}

resource "aws_lambda_event_source_mapping" "feed_import" {
  event_source_arn = aws_sqs_queue.feed_import.arn
  function_name    = aws_lambda_function.feed_import.arn
  batch_size       = 1
}

# ---------------------------------------------------------------------------
# Thumbnails: S3 upload notifications
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "thumbnails" {
  function_name = "${local.name_prefix}-thumbnails"
  role          = aws_iam_role.sync.arn
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  filename      = "${path.module}/build/thumbnails.zip"
  memory_size   = 3008
  timeout       = var.thumbnail_timeout

  ephemeral_storage {
    size = 4096
  }
}

resource "aws_lambda_permission" "thumbnails_s3" {
  statement_id  = "AllowS3Invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.thumbnails.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = aws_s3_bucket.images.arn
}

resource "aws_s3_bucket_notification" "images" {
  bucket = aws_s3_bucket.images.id

  lambda_function {
    lambda_function_arn = aws_lambda_function.thumbnails.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "originals/"
  }

  depends_on = [aws_lambda_permission.thumbnails_s3]
}

# ---------------------------------------------------------------------------
# Search reindex: EventBridge rule on catalog change events
# ---------------------------------------------------------------------------

resource "aws_lambda_function" "reindex" {
  function_name = "${local.name_prefix}-reindex"
  role          = aws_iam_role.sync.arn
  runtime       = "python3.12"
  handler       = "reindex.handler"
  filename      = "${path.module}/build/reindex.zip"
  memory_size   = var.lambda_memory
  timeout       = var.reindex_timeout
}

resource "aws_cloudwatch_event_rule" "catalog_changed" {
  name = "${local.name_prefix}-catalog-changed"
  event_pattern = jsonencode({
    source        = ["acme.catalog"]
    "detail-type" = ["CatalogChanged"]
  })
}

resource "aws_cloudwatch_event_target" "reindex" {
  rule = aws_cloudwatch_event_rule.catalog_changed.name
  arn  = aws_lambda_function.reindex.arn
}

resource "aws_lambda_permission" "reindex_events" {
  statement_id  = "AllowEventBridgeInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.reindex.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.catalog_changed.arn
}
