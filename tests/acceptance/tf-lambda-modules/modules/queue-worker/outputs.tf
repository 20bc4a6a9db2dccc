output "queue_url" {
  value = aws_sqs_queue.this.url
}

output "function_name" {
  value = aws_lambda_function.this.function_name
}
