variable "name" {
  type = string
}

variable "timeout" {
  type = number
}

variable "memory" {
  type = number
}

resource "aws_sqs_queue" "this" {
  name                       = "${var.name}-jobs"
  visibility_timeout_seconds = 6 * var.timeout
}

resource "aws_lambda_function" "this" {
  function_name = "${var.name}-job"
  role          = "arn:aws:iam::123456789012:role/${var.name}-job"
  handler       = "job.handler"
  runtime       = "python3.12"
  filename      = "build/${var.name}.zip"
  memory_size   = var.memory
  timeout       = var.timeout
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn = aws_sqs_queue.this.arn
  function_name    = aws_lambda_function.this.arn
  batch_size       = 1
}
