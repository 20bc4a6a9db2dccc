resource "aws_iam_role" "workflow" {
  name = "kyc-onboarding-workflow"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "states.amazonaws.com" } }]
  })
}

resource "aws_sfn_state_machine" "onboarding" {
  name     = "kyc-onboarding"
  role_arn = aws_iam_role.workflow.arn
  type     = "STANDARD"

  definition = jsonencode({
    Comment = "Customer onboarding: document check, then sanctions screening"
    StartAt = "CheckDocuments"
    States = {
      CheckDocuments = {
        Type     = "Task"
        Resource = "arn:aws:states:::lambda:invoke"
        Parameters = {
          FunctionName = aws_lambda_alias.document_check_live.arn
          "Payload.$"  = "$"
        }
        Retry = [{
          ErrorEquals     = ["Lambda.TooManyRequestsException", "Lambda.ServiceException"]
          IntervalSeconds = 2
          MaxAttempts     = 3
          BackoffRate     = 2
        }]
        Next = "ScreenSanctions"
      }
      ScreenSanctions = {
        Type     = "Task"
        Resource = aws_lambda_function.sanctions_screen.arn
        End      = true
      }
    }
  })
}

resource "aws_sfn_state_machine" "refund" {
  name     = "kyc-refund"
  role_arn = aws_iam_role.workflow.arn
  definition = templatefile("${path.module}/workflows/refund.asl.json", {
    refund_function_arn = aws_lambda_alias.refund_live.arn
  })
}
