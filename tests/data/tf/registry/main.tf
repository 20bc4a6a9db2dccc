module "lambda" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "reg-fn"
  handler       = "index.handler"
  runtime       = "java21"
  timeout       = 120
  architectures = ["arm64"]
  publish       = true
  snap_start    = true

  create_lambda_function_url = true
  invoke_mode                = "RESPONSE_STREAM"

  provisioned_concurrent_executions = 4

  allowed_triggers = {
    APIGatewayAny = {
      service    = "apigateway"
      source_arn = "arn:aws:execute-api:eu-west-1:123456789012:abcdef/*/*/*"
    }
    ScheduledRule = {
      principal  = "events.amazonaws.com"
      source_arn = "arn:aws:events:eu-west-1:123456789012:rule/nightly"
    }
  }

  event_source_mapping = {
    sqs = {
      event_source_arn = aws_sqs_queue.jobs.arn
    }
    stream = {
      event_source_arn  = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"
      starting_position = "LATEST"
    }
  }
}

module "defaults" {
  source = "registry.terraform.io/terraform-aws-modules/lambda/aws"

  function_name = "defaulted"
}

module "disabled" {
  source          = "terraform-aws-modules/lambda/aws"
  create_function = false
}

module "vm" {
  source        = "terraform-aws-modules/ec2-instance/aws"
  version       = "5.6.0"
  instance_type = "c5.xlarge"
  user_data     = "#!/bin/bash\necho vm\n"
  tags          = { Team = "a" }
}

module "asg" {
  source            = "terraform-aws-modules/autoscaling/aws"
  min_size          = 0
  max_size          = 4
  desired_capacity  = 1
  instance_type     = "t3.large"
  user_data         = base64encode("#!/bin/bash\necho asg\n")
  target_group_arns = ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/abc"]
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_apigatewayv2_integration" "reg" {
  api_id           = "abc"
  integration_type = "AWS_PROXY"
  integration_uri  = module.lambda.lambda_function_invoke_arn
}

resource "aws_scheduler_schedule" "reg" {
  schedule_expression = "rate(5 minutes)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = module.lambda.lambda_function_qualified_arn
    role_arn = "arn:aws:iam::123456789012:role/x"
  }
}

module "alias_only" {
  source        = "terraform-aws-modules/lambda/aws//modules/alias"
  name          = "live"
  function_name = module.lambda.lambda_function_name
}
