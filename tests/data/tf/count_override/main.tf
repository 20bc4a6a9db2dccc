variable "enabled" { default = false }
resource "aws_lambda_function" "off" {
  count   = var.enabled ? 1 : 0
  timeout = 10
}
resource "aws_lambda_function" "empty" {
  for_each = {}
}
resource "aws_lambda_function" "on" {
  count   = var.unknown_thing
  timeout = 10
}
module "m" {
  source = "terraform-aws-modules/lambda/aws"
  count  = 0
}
