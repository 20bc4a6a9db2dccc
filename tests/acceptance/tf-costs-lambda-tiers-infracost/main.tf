provider "aws" {
  region = "us-east-1"
}

resource "aws_lambda_function" "lambda" {
  function_name = "lambda"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
}

resource "aws_lambda_function" "lambda_arm" {
  function_name = "lambda-arm"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
  architectures = ["arm64"]
}

resource "aws_lambda_function" "lambda_withUsage" {
  function_name = "lambda-withusage"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
}

resource "aws_lambda_function" "lambda_withUsage_arm" {
  function_name = "lambda-withusage-arm"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
  architectures = ["arm64"]
}

resource "aws_lambda_function" "lambda_withUsage512Mem" {
  function_name = "lambda-withusage512mem"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
  memory_size   = 512
}

resource "aws_lambda_function" "lambda_withUsage512Mem_arm" {
  function_name = "lambda-withusage512mem-arm"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
  memory_size   = 512
  architectures = ["arm64"]
}

resource "aws_lambda_function" "lambda_duration_6B" {
  function_name = "lambda-duration-6b"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
  memory_size   = 512
}

resource "aws_lambda_function" "lambda_duration_75B_arm" {
  function_name = "lambda-duration-75b-arm"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
  memory_size   = 512
  architectures = ["arm64"]
}

resource "aws_lambda_function" "lambda_duration_9B" {
  function_name = "lambda-duration-9b"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
  memory_size   = 1024
}

resource "aws_lambda_function" "lambda_duration_11B_arm" {
  function_name = "lambda-duration-11b-arm"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
  memory_size   = 1024
  architectures = ["arm64"]
}

resource "aws_lambda_function" "lambda_duration_15B" {
  function_name = "lambda-duration-15b"
  role          = "arn:aws:iam::123456789012:role/events-processor"
  handler       = "exports.test"
  filename      = "function.zip"
  runtime       = "nodejs20.x"
  memory_size   = 2048
}
