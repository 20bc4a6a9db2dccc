variable "timeout" {
  type = number
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = var.timeout
}
