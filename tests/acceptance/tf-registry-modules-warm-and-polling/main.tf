terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.60" }
  }
}

resource "aws_apigatewayv2_api" "travel" {
  name          = "travel"
  protocol_type = "HTTP"
}

# Fare search: published version with 4 warm environments, the API invokes that version
module "fare_search" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "travel-fare-search"
  handler       = "search.handler"
  runtime       = "nodejs20.x"
  memory_size   = 1024
  timeout       = 15
  source_path   = "${path.module}/src/fare_search"

  publish                           = true
  provisioned_concurrent_executions = 4
}

resource "aws_apigatewayv2_integration" "fare_search" {
  api_id                 = aws_apigatewayv2_api.travel.id
  integration_type       = "AWS_PROXY"
  integration_uri        = module.fare_search.lambda_function_qualified_invoke_arn
  payload_format_version = "2.0"
}

# Booking: Java with SnapStart through the module input, but publish is left at false
module "booking" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "travel-booking"
  handler       = "com.acme.travel.BookingHandler::handleRequest"
  runtime       = "java21"
  memory_size   = 2048
  timeout       = 20
  snap_start    = true

  create_package         = false
  local_existing_package = "${path.module}/build/booking.jar"
}

resource "aws_apigatewayv2_integration" "booking" {
  api_id                 = aws_apigatewayv2_api.travel.id
  integration_type       = "AWS_PROXY"
  integration_uri        = module.booking.lambda_function_invoke_arn
  payload_format_version = "2.0"
}

# Itinerary PDF: Node.js with SnapStart copied from the booking module
module "itinerary_pdf" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "travel-itinerary-pdf"
  handler       = "pdf.handler"
  runtime       = "nodejs20.x"
  memory_size   = 1024
  timeout       = 60
  publish       = true
  snap_start    = true
  source_path   = "${path.module}/src/itinerary_pdf"
}

# Flight status poller: every minute through the eventbridge module, 45 s timeout
module "flight_status_poller" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.2"

  function_name = "travel-flight-status-poller"
  handler       = "poll.handler"
  runtime       = "python3.12"
  memory_size   = 256
  timeout       = 45
  source_path   = "${path.module}/src/flight_status"
}

module "travel_rules" {
  source  = "terraform-aws-modules/eventbridge/aws"
  version = "~> 3.7"

  create_bus = false

  rules = {
    flight_status = {
      description         = "Poll the airline status feed"
      schedule_expression = "rate(1 minute)"
    }
  }

  targets = {
    flight_status = [
      {
        name = "flight-status-poller"
        arn  = module.flight_status_poller.lambda_function_arn
      }
    ]
  }
}
