provider "aws" {
  region = "us-east-1"
}

# Clickstream enrichment: every page view of the storefront goes through this queue.
resource "aws_sqs_queue" "clicks" {
  name                       = "clickstream"
  visibility_timeout_seconds = 180
}

resource "aws_lambda_function" "event_enricher" {
  function_name = "clickstream-enricher"
  role          = "arn:aws:iam::123456789012:role/enricher"
  handler       = "enrich.handler"
  runtime       = "python3.12"
  filename      = "build/enricher.zip"
  memory_size   = 1024
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "clicks" {
  event_source_arn = aws_sqs_queue.clicks.arn
  function_name    = aws_lambda_function.event_enricher.arn
  batch_size       = 10
}

# Invoice PDFs, rendered from the billing run's queue.
resource "aws_sqs_queue" "invoices" {
  name                       = "invoice-pdf"
  visibility_timeout_seconds = 360
}

resource "aws_lambda_function" "pdf_renderer" {
  function_name = "invoice-pdf-renderer"
  role          = "arn:aws:iam::123456789012:role/pdf"
  handler       = "render.handler"
  runtime       = "python3.12"
  filename      = "build/pdf.zip"
  memory_size   = 10240
  timeout       = 60
}

resource "aws_lambda_event_source_mapping" "invoices" {
  event_source_arn = aws_sqs_queue.invoices.arn
  function_name    = aws_lambda_function.pdf_renderer.arn
}

# Product thumbnails, on upload.
resource "aws_s3_bucket" "uploads" {
  bucket = "storefront-product-uploads"
}

resource "aws_lambda_function" "thumbnailer" {
  function_name = "thumbnailer"
  role          = "arn:aws:iam::123456789012:role/thumbnailer"
  handler       = "thumb.handler"
  runtime       = "python3.12"
  filename      = "build/thumb.zip"
  memory_size   = 512
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
  }

  depends_on = [aws_lambda_permission.uploads]
}

# Price lookups for the storefront, kept warm for the holiday season and never scaled back.
resource "aws_lambda_function" "price_lookup" {
  function_name = "price-lookup"
  role          = "arn:aws:iam::123456789012:role/price-lookup"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/price.zip"
  memory_size   = 1024
  timeout       = 10
  publish       = true
}

resource "aws_lambda_alias" "price_lookup_live" {
  name             = "live"
  function_name    = aws_lambda_function.price_lookup.function_name
  function_version = aws_lambda_function.price_lookup.version
}

resource "aws_lambda_provisioned_concurrency_config" "price_lookup" {
  function_name                     = aws_lambda_function.price_lookup.function_name
  qualifier                         = aws_lambda_alias.price_lookup_live.name
  provisioned_concurrent_executions = 12
}

resource "aws_lambda_function_url" "price_lookup" {
  function_name      = aws_lambda_function.price_lookup.function_name
  qualifier          = aws_lambda_alias.price_lookup_live.name
  authorization_type = "NONE"
}
