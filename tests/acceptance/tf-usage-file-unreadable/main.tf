resource "aws_lambda_function" "settlement" {
  function_name = "settlement"
  role          = "arn:aws:iam::123456789012:role/settlement"
  handler       = "settle.handler"
  runtime       = "python3.12"
  filename      = "build/settle.zip"
  timeout       = 870
}
