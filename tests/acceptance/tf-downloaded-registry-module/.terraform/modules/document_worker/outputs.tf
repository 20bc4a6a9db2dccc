output "queue_url" {
  value = aws_sqs_queue.this.url
}

output "function_arn" {
  value = aws_lambda_function.this.arn
}
