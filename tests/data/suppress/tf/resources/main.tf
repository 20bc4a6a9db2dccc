# computefit:ignore CF201 -- export job; its timeout comes from terraform.tfvars
resource "aws_lambda_function" "above" {
  function_name = "above"
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = var.export_timeout
}

resource "aws_lambda_function" "inside" {
  function_name = "inside"
  runtime       = "python3.12"
  handler       = "app.handler"
  // computefit:ignore CF201 until 2099-12-31 -- reviewed with the data team
  timeout = var.default_timeout
}

resource "aws_lambda_function" "reported" {
  function_name = "reported"
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = 900
  environment {
    variables = {
      NOTE = "braces } { and a fake comment # computefit:ignore CF201 inside a string"
      TMPL = "${jsonencode({ a = "}" })}"
    }
  }
}

/* computefit:ignore all -- legacy, frozen */
resource "aws_lambda_function" "block_comment" {
  function_name = "block-comment"
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = 900
}

# computefit:ignore CF201 until 2020-01-31 -- expired on purpose
resource "aws_lambda_function" "expired" {
  function_name = "expired"
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = 900
}

# computefit:ignore CF201
resource "aws_lambda_function" "short" {
  function_name = "short"
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = 30
}

resource "aws_instance" "host" {
  ami           = "ami-12345678"
  instance_type = "t3.micro"
  user_data     = <<-EOT
    #!/bin/bash
    echo "}"  # computefit:ignore CF201 -- in a heredoc, inside the block of host
  EOT
}

# computefit:ignore CF201 -- below the heredoc resource
resource "aws_lambda_function" "after_heredoc" {
  function_name = "after-heredoc"
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = 900
}
