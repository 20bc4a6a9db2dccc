# CI sets TF_VAR_* from the pipeline's environment settings (see .gitlab-ci.yml in the real repo).
variable "ingest_timeout" {
  type    = number
  default = 120
}

variable "reindex_timeout" {
  type    = number
  default = 300
}

resource "aws_iam_role" "search" {
  name = "search-workers"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_sqs_queue" "reindex" {
  name                       = "search-reindex"
  visibility_timeout_seconds = 5400
}

resource "aws_lambda_function" "reindex" {
  function_name = "search-reindex"
  role          = aws_iam_role.search.arn
  runtime       = "python3.12"
  architectures = ["arm64"]
  handler       = "reindex.handler"
  filename      = "dist/reindex.zip"
  timeout       = var.reindex_timeout
}

resource "aws_lambda_event_source_mapping" "reindex" {
  event_source_arn = aws_sqs_queue.reindex.arn
  function_name    = aws_lambda_function.reindex.arn
  batch_size       = 5
}

resource "aws_sqs_queue" "ingest" {
  name                       = "search-ingest"
  visibility_timeout_seconds = 5400
}

resource "aws_lambda_function" "ingest" {
  function_name = "search-ingest"
  role          = aws_iam_role.search.arn
  runtime       = "python3.12"
  architectures = ["arm64"]
  handler       = "ingest.handler"
  filename      = "dist/ingest.zip"
  timeout       = var.ingest_timeout
}

resource "aws_lambda_event_source_mapping" "ingest" {
  event_source_arn = aws_sqs_queue.ingest.arn
  function_name    = aws_lambda_function.ingest.arn
}
