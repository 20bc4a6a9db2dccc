variable "snap" { default = true }
variable "unknown_list" {}
resource "aws_lambda_function" "a" {
  dynamic "snap_start" {
    for_each = var.snap ? [true] : []
    content {
      apply_on = "PublishedVersions"
    }
  }
  dynamic "ephemeral_storage" {
    for_each = var.unknown_list
    content {
      size = 1024
    }
  }
}
resource "aws_lambda_function" "b" {
  dynamic "snap_start" {
    for_each = []
    content {
      apply_on = "PublishedVersions"
    }
  }
}
resource "aws_s3_bucket_notification" "n" {
  dynamic "lambda_function" {
    for_each = { x = aws_lambda_function.a.arn }
    iterator = fn
    content {
      lambda_function_arn = fn.value
    }
  }
}
