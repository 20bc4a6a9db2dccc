# computefit:ignore CF201, CF901 -- both checks reviewed
resource "aws_lambda_function" "both" {
  function_name = "both"
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = 900
}

resource "aws_lambda_function" "second_only" { # computefit:ignore CF901
  function_name = "second-only"
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = 900
}

# computefit:ignore all
resource "aws_lambda_function" "all_checks" {
  function_name = "all-checks"
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = 900
}
