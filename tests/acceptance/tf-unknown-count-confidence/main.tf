variable "dr_drill_enabled" {
  description = "Run the disaster-recovery restore drill in this account"
  type        = bool
  default     = true
}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_ssm_parameter" "drill_override" {
  name = "/platform/dr/drill-enabled"
}

resource "aws_iam_role" "ops" {
  name = "ops-jobs"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

# One snapshot verifier per availability zone: how many is only known at plan time.
resource "aws_lambda_function" "snapshot_verify" {
  count = length(data.aws_availability_zones.available.names)

  function_name = "snapshot-verify-${data.aws_availability_zones.available.names[count.index]}"
  role          = aws_iam_role.ops.arn
  runtime       = "python3.12"
  handler       = "verify.handler"
  filename      = "dist/ops.zip"
  timeout       = 870
}

# true || unknown is true: created whatever the SSM parameter says.
resource "aws_lambda_function" "restore_drill" {
  count = var.dr_drill_enabled || data.aws_ssm_parameter.drill_override.value == "true" ? 1 : 0

  function_name = "dr-restore-drill"
  role          = aws_iam_role.ops.arn
  runtime       = "python3.12"
  handler       = "drill.handler"
  filename      = "dist/ops.zip"
  timeout       = 900
}
