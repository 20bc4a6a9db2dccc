resource "aws_lambda_function" "ok" {
  function_name = "still-read"
  timeout       = 30
}
