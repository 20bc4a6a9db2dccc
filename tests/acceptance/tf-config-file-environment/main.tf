variable "environment" {
  type    = string
  default = "dev"
}

variable "import_timeout" {
  type    = number
  default = 120
}

variable "import_memory" {
  type    = number
  default = 512
}

resource "aws_iam_role" "import" {
  name = "catalogue-import-${var.environment}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_s3_bucket" "drop" {
  bucket = "northwind-catalogue-drop-${var.environment}"
}

resource "aws_lambda_function" "import" {
  function_name = "catalogue-import-${var.environment}"
  role          = aws_iam_role.import.arn
  runtime       = "python3.12"
  handler       = "import.handler"
  filename      = "dist/import.zip"
  timeout       = var.environment == "prod" ? var.import_timeout * 2 : var.import_timeout
  memory_size   = var.import_memory
}

resource "aws_lambda_permission" "s3" {
  statement_id  = "AllowS3"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.import.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = aws_s3_bucket.drop.arn
}

resource "aws_s3_bucket_notification" "drop" {
  bucket = aws_s3_bucket.drop.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.import.arn
    events              = ["s3:ObjectCreated:*"]
  }
  depends_on = [aws_lambda_permission.s3]
}
