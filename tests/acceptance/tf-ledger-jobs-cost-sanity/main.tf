# Ledger integration jobs (team: fin-platform). Functions built by CI into acme-lambda-artifacts.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.60" }
  }
}

provider "aws" {
  region = "us-east-1"
}

locals {
  role_arn  = "arn:aws:iam::123456789012:role/ledger-lambda"
  artifacts = "acme-lambda-artifacts"
}

# ---------------------------------------------------------------------------------------------
# Bank statement poller: polls the bank's SFTP drop every 5 minutes; the bank's webhook also
# pushes "statement ready" events onto the queue. Never two at once (the SFTP lock).
# ---------------------------------------------------------------------------------------------
resource "aws_sqs_queue" "statement_ready" {
  name                       = "ledger-statement-ready"
  visibility_timeout_seconds = 5400
  message_retention_seconds  = 1209600
}

resource "aws_lambda_function" "statement_poller" {
  function_name                  = "ledger-statement-poller"
  role                           = local.role_arn
  runtime                        = "python3.12"
  handler                        = "poller.handler"
  architectures                  = ["arm64"]
  s3_bucket                      = local.artifacts
  s3_key                         = "statement-poller/2.4.0.zip"
  memory_size                    = 512
  timeout                        = 900
  reserved_concurrent_executions = 1
}

resource "aws_lambda_event_source_mapping" "statement_ready" {
  event_source_arn = aws_sqs_queue.statement_ready.arn
  function_name    = aws_lambda_function.statement_poller.arn
  batch_size       = 1
}

resource "aws_scheduler_schedule" "statement_poll" {
  name                = "ledger-statement-poll"
  schedule_expression = "rate(5 minutes)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.statement_poller.arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke"
  }
}

# ---------------------------------------------------------------------------------------------
# Journal CSV import: partners drop CSVs into S3, the notification goes through SQS.
# ---------------------------------------------------------------------------------------------
resource "aws_sqs_queue" "journal_uploads" {
  name                       = "ledger-journal-uploads"
  visibility_timeout_seconds = 5040
}

resource "aws_lambda_function" "journal_import" {
  function_name = "ledger-journal-import"
  role          = local.role_arn
  runtime       = "python3.12"
  handler       = "journal.handler"
  architectures = ["arm64"]
  s3_bucket     = local.artifacts
  s3_key        = "journal-import/5.0.3.zip"
  memory_size   = 4096
  timeout       = 840
}

resource "aws_lambda_event_source_mapping" "journal_uploads" {
  event_source_arn = aws_sqs_queue.journal_uploads.arn
  function_name    = aws_lambda_function.journal_import.arn
  batch_size       = 1
}

# ---------------------------------------------------------------------------------------------
# Remittance PDF splitter: one PDF per message, small memory, slow OCR fallback.
# ---------------------------------------------------------------------------------------------
resource "aws_sqs_queue" "remittances" {
  name                       = "ledger-remittances"
  visibility_timeout_seconds = 4680
}

resource "aws_lambda_function" "remittance_split" {
  function_name = "ledger-remittance-split"
  role          = local.role_arn
  runtime       = "python3.12"
  handler       = "split.handler"
  architectures = ["arm64"]
  s3_bucket     = local.artifacts
  s3_key        = "remittance-split/1.1.0.zip"
  memory_size   = 512
  timeout       = 780
}

resource "aws_lambda_event_source_mapping" "remittances" {
  event_source_arn = aws_sqs_queue.remittances.arn
  function_name    = aws_lambda_function.remittance_split.arn
  batch_size       = 1
}

# ---------------------------------------------------------------------------------------------
# Invoice matcher (Java, x86_64): capped at 5 concurrent executions so the ERP API is not flooded.
# ---------------------------------------------------------------------------------------------
resource "aws_sqs_queue" "invoices" {
  name                       = "ledger-invoices"
  visibility_timeout_seconds = 720
}

resource "aws_lambda_function" "invoice_matcher" {
  function_name                  = "ledger-invoice-matcher"
  role                           = local.role_arn
  runtime                        = "java21"
  handler                        = "com.acme.ledger.Matcher::handleRequest"
  s3_bucket                      = local.artifacts
  s3_key                         = "invoice-matcher/3.2.0-all.jar"
  memory_size                    = 2048
  timeout                        = 120
  reserved_concurrent_executions = 5
}

resource "aws_lambda_event_source_mapping" "invoices" {
  event_source_arn        = aws_sqs_queue.invoices.arn
  function_name           = aws_lambda_function.invoice_matcher.arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}
