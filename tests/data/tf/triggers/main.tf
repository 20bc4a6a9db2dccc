resource "aws_lambda_function" "fn" {
  function_name = "trig-fn"
  handler       = "h"
  runtime       = "python3.12"
  publish       = true
}

resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.fn.function_name
  function_version = aws_lambda_function.fn.version
}

resource "aws_lambda_provisioned_concurrency_config" "alias_pc" {
  function_name                     = aws_lambda_alias.live.function_name
  qualifier                         = aws_lambda_alias.live.name
  provisioned_concurrent_executions = 5
}

resource "aws_lambda_provisioned_concurrency_config" "version_pc" {
  function_name                     = aws_lambda_function.fn.function_name
  qualifier                         = aws_lambda_function.fn.version
  provisioned_concurrent_executions = 1
}

resource "aws_cloudwatch_event_rule" "every_hour" {
  name                = "hourly"
  schedule_expression = "rate(1 hour)"
}

resource "aws_cloudwatch_event_target" "hourly" {
  rule = aws_cloudwatch_event_rule.every_hour.name
  arn  = aws_lambda_function.fn.arn
}

resource "aws_cloudwatch_event_rule" "pattern" {
  event_pattern = jsonencode({ source = ["aws.ec2"] })
}

resource "aws_cloudwatch_event_target" "pattern" {
  rule = aws_cloudwatch_event_rule.pattern.name
  arn  = aws_lambda_alias.live.arn
}

resource "aws_scheduler_schedule" "daily" {
  schedule_expression          = "cron(0 8 * * ? *)"
  schedule_expression_timezone = "Europe/Paris"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.fn.qualified_arn
    role_arn = "arn:aws:iam::123456789012:role/scheduler"
  }
}

resource "aws_api_gateway_rest_api" "rest" {
  name = "rest"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_integration" "rest" {
  rest_api_id             = aws_api_gateway_rest_api.rest.id
  resource_id             = "r"
  http_method             = "GET"
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_alias.live.invoke_arn
  timeout_milliseconds    = 29000
}

resource "aws_apigatewayv2_api" "http" {
  name          = "http"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "http" {
  api_id           = aws_apigatewayv2_api.http.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.fn.invoke_arn
}

resource "aws_apigatewayv2_api" "ws" {
  name          = "ws"
  protocol_type = "WEBSOCKET"
}

resource "aws_apigatewayv2_integration" "ws" {
  api_id           = aws_apigatewayv2_api.ws.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.fn.invoke_arn
}

resource "aws_lb_target_group" "tg" {
  target_type = "lambda"
}

resource "aws_lb_target_group_attachment" "fn" {
  target_group_arn = aws_lb_target_group.tg.arn
  target_id        = aws_lambda_function.fn.arn
}

resource "aws_lambda_function_url" "url" {
  function_name      = aws_lambda_function.fn.function_name
  qualifier          = "live"
  authorization_type = "AWS_IAM"
  invoke_mode        = "RESPONSE_STREAM"
}

resource "aws_appsync_datasource" "ds" {
  api_id = "x"
  name   = "fn"
  type   = "AWS_LAMBDA"
  lambda_config {
    function_arn = aws_lambda_function.fn.arn
  }
}

resource "aws_sqs_queue" "q" {}

resource "aws_kinesis_stream" "k" {
  name = "k"
}

resource "aws_dynamodb_table" "t" {
  name = "t"
}

resource "aws_msk_cluster" "m" {}

resource "aws_mq_broker" "b" {}

resource "aws_lambda_event_source_mapping" "sqs" {
  event_source_arn = aws_sqs_queue.q.arn
  function_name    = aws_lambda_function.fn.arn
}

resource "aws_lambda_event_source_mapping" "kinesis" {
  event_source_arn = aws_kinesis_stream.k.arn
  function_name    = aws_lambda_function.fn.function_name
}

resource "aws_lambda_event_source_mapping" "ddb" {
  event_source_arn = aws_dynamodb_table.t.stream_arn
  function_name    = aws_lambda_alias.live.arn
}

resource "aws_lambda_event_source_mapping" "msk" {
  event_source_arn = aws_msk_cluster.m.arn
  function_name    = aws_lambda_function.fn.arn
  topics           = ["t"]
}

resource "aws_lambda_event_source_mapping" "mq" {
  event_source_arn = aws_mq_broker.b.arn
  function_name    = aws_lambda_function.fn.arn
  queues           = ["q"]
}

resource "aws_s3_bucket_notification" "n" {
  bucket = "b"
  lambda_function {
    lambda_function_arn = aws_lambda_function.fn.arn
    events              = ["s3:ObjectCreated:*"]
  }
}

resource "aws_sns_topic_subscription" "s" {
  topic_arn = "arn:aws:sns:eu-west-1:123456789012:t"
  protocol  = "lambda"
  endpoint  = aws_lambda_function.fn.arn
}

resource "aws_sfn_state_machine" "sm" {
  name     = "sm"
  role_arn = "arn:aws:iam::123456789012:role/sfn"
  definition = jsonencode({
    StartAt = "Go"
    States = {
      Go = { Type = "Task", Resource = aws_lambda_function.fn.arn, End = true }
    }
  })
}

resource "aws_cognito_user_pool" "pool" {
  name = "p"
  lambda_config {
    pre_sign_up = aws_lambda_function.fn.arn
  }
}

resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  default_cache_behavior {
    target_origin_id = "o"
    lambda_function_association {
      event_type = "viewer-request"
      lambda_arn = aws_lambda_function.fn.qualified_arn
    }
  }
}

resource "aws_lambda_permission" "iot" {
  function_name = aws_lambda_function.fn.function_name
  principal     = "iot.amazonaws.com"
  action        = "lambda:InvokeFunction"
}

resource "aws_lambda_permission" "sns_duplicate" {
  function_name = aws_lambda_function.fn.function_name
  principal     = "sns.amazonaws.com"
  action        = "lambda:InvokeFunction"
}

resource "aws_lambda_function" "by_name" {
  function_name = "named-fn"
  handler       = "h"
  runtime       = "python3.12"
}

resource "aws_lambda_event_source_mapping" "arn_string" {
  event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:jobs"
  function_name    = "arn:aws:lambda:eu-west-1:123456789012:function:named-fn:blue"
}
