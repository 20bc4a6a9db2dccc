terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.40" }
  }
}

locals {
  role   = "arn:aws:iam::123456789012:role/storefront-lambda"
  bucket = "acme-storefront-artifacts"
}

resource "aws_apigatewayv2_api" "storefront" {
  name          = "storefront"
  protocol_type = "HTTP"
}

# Checkout: 20 warm environments for Black Friday, never turned down again
resource "aws_lambda_function" "checkout" {
  function_name = "storefront-checkout"
  role          = local.role
  runtime       = "nodejs20.x"
  handler       = "checkout.handler"
  s3_bucket     = local.bucket
  s3_key        = "checkout.zip"
  memory_size   = 1024
  timeout       = 10
  architectures = ["arm64"]
  publish       = true
}

resource "aws_lambda_alias" "checkout_live" {
  name             = "live"
  function_name    = aws_lambda_function.checkout.function_name
  function_version = aws_lambda_function.checkout.version
}

resource "aws_lambda_provisioned_concurrency_config" "checkout" {
  function_name                     = aws_lambda_alias.checkout_live.function_name
  qualifier                         = aws_lambda_alias.checkout_live.name
  provisioned_concurrent_executions = 20
}

resource "aws_apigatewayv2_integration" "checkout" {
  api_id                 = aws_apigatewayv2_api.storefront.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_alias.checkout_live.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "checkout" {
  api_id    = aws_apigatewayv2_api.storefront.id
  route_key = "POST /checkout"
  target    = "integrations/${aws_apigatewayv2_integration.checkout.id}"
}

# Cart: warm and scaled on utilisation
resource "aws_lambda_function" "cart" {
  function_name = "storefront-cart"
  role          = local.role
  runtime       = "nodejs20.x"
  handler       = "cart.handler"
  s3_bucket     = local.bucket
  s3_key        = "cart.zip"
  memory_size   = 512
  timeout       = 10
  publish       = true
}

resource "aws_lambda_alias" "cart_live" {
  name             = "live"
  function_name    = aws_lambda_function.cart.function_name
  function_version = aws_lambda_function.cart.version
}

resource "aws_lambda_provisioned_concurrency_config" "cart" {
  function_name                     = aws_lambda_alias.cart_live.function_name
  qualifier                         = aws_lambda_alias.cart_live.name
  provisioned_concurrent_executions = 8
}

resource "aws_apigatewayv2_integration" "cart" {
  api_id                 = aws_apigatewayv2_api.storefront.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_alias.cart_live.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_appautoscaling_target" "cart" {
  service_namespace  = "lambda"
  scalable_dimension = "lambda:function:ProvisionedConcurrency"
  resource_id        = "function:${aws_lambda_function.cart.function_name}:${aws_lambda_alias.cart_live.name}"
  min_capacity       = 2
  max_capacity       = 8
}

resource "aws_appautoscaling_policy" "cart" {
  name               = "cart-pc-utilisation"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.cart.service_namespace
  resource_id        = aws_appautoscaling_target.cart.resource_id
  scalable_dimension = aws_appautoscaling_target.cart.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = 0.7
    predefined_metric_specification {
      predefined_metric_type = "LambdaProvisionedConcurrencyUtilization"
    }
  }
}

# Account page behind the ALB: a single warm environment
resource "aws_lambda_function" "account" {
  function_name = "storefront-account"
  role          = local.role
  runtime       = "python3.12"
  handler       = "account.handler"
  s3_bucket     = local.bucket
  s3_key        = "account.zip"
  memory_size   = 512
  timeout       = 10
  publish       = true
}

resource "aws_lambda_alias" "account_live" {
  name             = "live"
  function_name    = aws_lambda_function.account.function_name
  function_version = aws_lambda_function.account.version
}

resource "aws_lambda_provisioned_concurrency_config" "account" {
  function_name                     = aws_lambda_alias.account_live.function_name
  qualifier                         = aws_lambda_alias.account_live.name
  provisioned_concurrent_executions = 1
}

resource "aws_lb_target_group" "account" {
  name        = "storefront-account"
  target_type = "lambda"
}

resource "aws_lb_target_group_attachment" "account" {
  target_group_arn = aws_lb_target_group.account.arn
  target_id        = aws_lambda_alias.account_live.arn
}
