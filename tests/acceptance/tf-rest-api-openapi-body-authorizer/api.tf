resource "aws_api_gateway_rest_api" "support" {
  name = "support"
  endpoint_configuration {
    types = ["REGIONAL"]
  }

  body = jsonencode({
    openapi = "3.0.1"
    info    = { title = "support", version = "1.0" }
    paths = {
      "/tickets" = {
        post = {
          x-amazon-apigateway-integration = {
            type       = "aws_proxy"
            httpMethod = "POST"
            uri        = aws_lambda_function.tickets.invoke_arn
          }
        }
      }
    }
  })
}

resource "aws_api_gateway_authorizer" "jwt" {
  name                             = "jwt"
  rest_api_id                      = aws_api_gateway_rest_api.support.id
  authorizer_uri                   = aws_lambda_function.authorizer.invoke_arn
  authorizer_result_ttl_in_seconds = 0
  identity_source                  = "method.request.header.Authorization"
}

resource "aws_api_gateway_deployment" "support" {
  rest_api_id = aws_api_gateway_rest_api.support.id
  triggers = {
    redeploy = sha1(aws_api_gateway_rest_api.support.body)
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "live" {
  rest_api_id   = aws_api_gateway_rest_api.support.id
  deployment_id = aws_api_gateway_deployment.support.id
  stage_name    = "live"
}
