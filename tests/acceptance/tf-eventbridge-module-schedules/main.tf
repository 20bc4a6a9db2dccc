terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.40" }
  }
}

provider "aws" {
  region = "eu-west-1"
}

module "billing_close" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "billing-close"
  handler       = "close.handler"
  runtime       = "python3.12"
  memory_size   = 512
  timeout       = 300
  source_path   = "${path.module}/src/close"
}

module "usage_rollup" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "billing-usage-rollup"
  handler       = "rollup.handler"
  runtime       = "python3.12"
  memory_size   = 1024
  timeout       = 120
  source_path   = "${path.module}/src/rollup"
}

# Legacy scheduled rule on the default bus, built by the registry module
module "billing_rules" {
  source  = "terraform-aws-modules/eventbridge/aws"
  version = "~> 3.7"

  create_bus = false

  rules = {
    nightly_close = {
      description         = "Close the billing day"
      schedule_expression = "cron(5 0 * * ? *)"
    }
  }

  targets = {
    nightly_close = [
      {
        name = "billing-close"
        arn  = module.billing_close.lambda_function_arn
      }
    ]
  }
}

# EventBridge Scheduler through the same module, with a unit typo
module "billing_schedules" {
  source  = "terraform-aws-modules/eventbridge/aws"
  version = "~> 3.7"

  create_bus = false

  attach_lambda_policy = true
  lambda_target_arns   = [module.usage_rollup.lambda_function_arn]

  schedules = {
    usage_rollup = {
      description         = "Roll up metered usage"
      schedule_expression = "rate(30 minute)"
      arn                 = module.usage_rollup.lambda_function_arn
    }
    statement_reminder = {
      description         = "Remind finance of unsent statements on Mondays"
      schedule_expression = "cron(0 9 * * MON *)"
      arn                 = module.billing_close.lambda_function_arn
    }
  }
}

# Hand-written rules and schedules
resource "aws_cloudwatch_event_rule" "dunning" {
  name                = "billing-dunning"
  schedule_expression = "rate(1 hours)"
}

resource "aws_cloudwatch_event_target" "dunning" {
  rule = aws_cloudwatch_event_rule.dunning.name
  arn  = module.billing_close.lambda_function_arn
}

resource "aws_scheduler_schedule" "statement_run" {
  name                         = "billing-statement-run"
  schedule_expression          = "cron(0 6 1 * ? *)"
  schedule_expression_timezone = "Europe/Dublin"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.billing_close.lambda_function_arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke"
  }
}

resource "aws_scheduler_schedule" "weekend_audit" {
  name                = "billing-weekend-audit"
  schedule_expression = "cron(0 4 ? * 0,6 *)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.usage_rollup.lambda_function_arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler-invoke"
  }
}

resource "aws_cloudwatch_event_rule" "invoice_paid" {
  name = "billing-invoice-paid"
  event_pattern = jsonencode({
    source      = ["acme.payments"]
    detail-type = ["InvoicePaid"]
  })
}

resource "aws_cloudwatch_event_target" "invoice_paid" {
  rule = aws_cloudwatch_event_rule.invoice_paid.name
  arn  = module.billing_close.lambda_function_arn
}

resource "aws_autoscaling_schedule" "reports_weekday_up" {
  scheduled_action_name  = "reports-weekday-up"
  autoscaling_group_name = "billing-reports"
  recurrence             = "0 7 * * MON-FRI"
  desired_capacity       = 2
  min_size               = 1
  max_size               = 4
}

resource "aws_autoscaling_schedule" "reports_night_down" {
  scheduled_action_name  = "reports-night-down"
  autoscaling_group_name = "billing-reports"
  recurrence             = "cron(0 20 * * ? *)"
  desired_capacity       = 0
  min_size               = 0
  max_size               = 4
}
