locals {
  # Nightly report generators for the probation case-management system.
  reports = {
    iis = {
      handler = "reports.iis_extract"
      timeout = 900
      memory  = 1024
    }
    ppud = {
      handler = "reports.ppud_extract"
      timeout = 900
      memory  = 1024
    }
    delius = {
      handler = "reports.delius_extract"
      timeout = 900
      memory  = 1024
    }
    healthcheck = {
      handler = "reports.healthcheck"
      timeout = 60
      memory  = 256
    }
    disk-usage = {
      handler = "reports.disk_usage"
      timeout = 60
      memory  = 256
    }
  }
}

resource "aws_iam_role" "reports" {
  name = "case-reports"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "report" {
  for_each = local.reports

  function_name = "case-report-${each.key}"
  role          = aws_iam_role.reports.arn
  runtime       = "python3.12"
  handler       = each.value.handler
  filename      = "dist/reports.zip"
  timeout       = each.value.timeout
  memory_size   = each.value.memory
}

resource "aws_lambda_function" "reindex_shard" {
  count = length(var.shard_timeouts)

  function_name = "case-search-reindex-${count.index}"
  role          = aws_iam_role.reports.arn
  runtime       = "python3.12"
  handler       = "reindex.handler"
  filename      = "dist/reindex.zip"
  timeout       = var.shard_timeouts[count.index]
  environment {
    variables = {
      SHARD = tostring(count.index)
    }
  }
}
