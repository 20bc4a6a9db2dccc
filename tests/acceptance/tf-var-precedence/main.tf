variable "render_timeout" {
  type    = number
  default = 60
}

variable "thumbnail_timeout" {
  type    = number
  default = 60
}

variable "ocr_timeout" {
  type    = number
  default = 60
}

resource "aws_iam_role" "media" {
  name = "media-workers"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "render" {
  function_name = "media-render"
  role          = aws_iam_role.media.arn
  runtime       = "python3.12"
  handler       = "render.handler"
  filename      = "dist/media.zip"
  timeout       = var.render_timeout
}

resource "aws_lambda_function" "thumbnail" {
  function_name = "media-thumbnail"
  role          = aws_iam_role.media.arn
  runtime       = "python3.12"
  handler       = "thumbnail.handler"
  filename      = "dist/media.zip"
  timeout       = var.thumbnail_timeout
}

resource "aws_lambda_function" "ocr" {
  function_name = "media-ocr"
  role          = aws_iam_role.media.arn
  runtime       = "python3.12"
  handler       = "ocr.handler"
  filename      = "dist/media.zip"
  timeout       = var.ocr_timeout
}
