# CI checks out northwind/platform-modules next to this repository (see the pipeline's
# "checkout: platform-modules" step), so the module path climbs out of this work tree.
module "ledger_sync" {
  source = "../../../../platform-modules/lambda-job"

  name    = "ledger-sync"
  timeout = 900
}

resource "aws_iam_role" "audit" {
  name = "ledger-audit"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "audit" {
  function_name = "ledger-audit"
  role          = aws_iam_role.audit.arn
  runtime       = "python3.12"
  handler       = "audit.handler"
  filename      = "dist/audit.zip"
  timeout       = 780
}
