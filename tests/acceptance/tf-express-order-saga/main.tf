terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.40" }
  }
}

variable "states_role_arn" {
  type    = string
  default = "arn:aws:iam::123456789012:role/order-saga-states"
}

variable "payments_workflow_arn" {
  type    = string
  default = "arn:aws:states:eu-west-1:123456789012:stateMachine:payments"
}

resource "aws_lambda_function" "reserve_stock" {
  function_name = "orders-reserve-stock"
  role          = "arn:aws:iam::123456789012:role/orders-lambda"
  runtime       = "nodejs20.x"
  handler       = "reserve.handler"
  s3_bucket     = "acme-orders-artifacts"
  s3_key        = "reserve.zip"
  timeout       = 15
}

resource "aws_sqs_queue" "warehouse_callbacks" {
  name                       = "warehouse-callbacks"
  visibility_timeout_seconds = 60
}

# Express: reserve stock, then wait for the warehouse to confirm by callback
resource "aws_sfn_state_machine" "reserve" {
  name     = "orders-reserve"
  type     = "EXPRESS"
  role_arn = var.states_role_arn

  definition = jsonencode({
    StartAt = "Reserve"
    States = {
      Reserve = {
        Type     = "Task"
        Resource = "arn:aws:states:::lambda:invoke"
        Parameters = {
          FunctionName = aws_lambda_function.reserve_stock.arn
          "Payload.$"  = "$"
        }
        Next = "AwaitWarehouse"
      }
      AwaitWarehouse = {
        Type     = "Task"
        Resource = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
        Parameters = {
          QueueUrl = aws_sqs_queue.warehouse_callbacks.url
          MessageBody = {
            "token.$" = "$$.Task.Token"
          }
        }
        End = true
      }
    }
  })
}

# Express: starts the payments workflow and waits for it (.sync:2) - from a template file
resource "aws_sfn_state_machine" "payment" {
  name     = "orders-payment"
  type     = "EXPRESS"
  role_arn = var.states_role_arn

  definition = templatefile("${path.module}/templates/payment.asl.json.tpl", {
    payments_workflow_arn = var.payments_workflow_arn
  })
}

# Express, request-response, every state within 5 minutes
resource "aws_sfn_state_machine" "price" {
  name     = "orders-price"
  type     = "EXPRESS"
  role_arn = var.states_role_arn

  definition = <<-EOT
    {
      "StartAt": "Price",
      "States": {
        "Price": {
          "Type": "Task",
          "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "${aws_lambda_function.reserve_stock.arn}", "Payload.$": "$"},
          "TimeoutSeconds": 30,
          "End": true
        }
      }
    }
  EOT
}

# Standard (type omitted): the long-running saga itself, .sync is fine here
resource "aws_sfn_state_machine" "saga" {
  name     = "orders-saga"
  role_arn = var.states_role_arn

  definition = <<-EOT
    {
      "StartAt": "Pay",
      "States": {
        "Pay": {
          "Type": "Task",
          "Resource": "arn:aws:states:::states:startExecution.sync:2",
          "Parameters": {"StateMachineArn": "${var.payments_workflow_arn}", "Input.$": "$"},
          "TimeoutSeconds": 86400,
          "End": true
        }
      }
    }
  EOT
}
