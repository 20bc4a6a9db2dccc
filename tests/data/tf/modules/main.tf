variable "fn_timeout" {
  default = 45
}

module "orders" {
  source  = "./modules/fn"
  name    = "orders"
  timeout = var.fn_timeout
  memory  = 1024
}

module "loop" {
  source = "./modules/loop"
}

module "remote" {
  source  = "git::https://example.com/some/module.git"
  timeout = 3
}

resource "aws_cloudwatch_event_rule" "nightly" {
  schedule_expression = "cron(0 3 * * ? *)"
}

resource "aws_cloudwatch_event_target" "nightly" {
  rule = aws_cloudwatch_event_rule.nightly.name
  arn  = module.orders.function_arn
}
