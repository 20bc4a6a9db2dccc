resource "aws_iam_role" "api" {
  name = "tickets-api"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "tickets" {
  function_name = "support-tickets-api"
  role          = aws_iam_role.api.arn
  runtime       = "java21"
  handler       = "com.northwind.support.TicketsHandler::handleRequest"
  filename      = "build/tickets.jar"
  memory_size   = 2048
  timeout       = 45
}

resource "aws_lambda_function" "authorizer" {
  function_name = "support-jwt-authorizer"
  role          = aws_iam_role.api.arn
  runtime       = "java21"
  handler       = "com.northwind.support.JwtAuthorizer::handleRequest"
  filename      = "build/authorizer.jar"
  memory_size   = 1024
  timeout       = 5
}

resource "aws_lambda_permission" "tickets" {
  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.tickets.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.support.execution_arn}/*/*"
}

resource "aws_lambda_permission" "authorizer" {
  statement_id  = "AllowApiGatewayAuthorizer"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.authorizer.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.support.execution_arn}/authorizers/${aws_api_gateway_authorizer.jwt.id}"
}
