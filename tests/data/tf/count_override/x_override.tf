resource "aws_lambda_function" "on" {
  timeout = 99
}
