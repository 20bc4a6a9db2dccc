variable "name" {}

variable "timeout" {
  default = 3
}

variable "memory" {
  default = 128
}

variable "runtime" {
  default = "java21"
}

resource "aws_lambda_function" "this" {
  function_name = var.name
  timeout       = var.timeout
  memory_size   = var.memory
  runtime       = var.runtime
  handler       = "x"
}

module "inner" {
  source = "./inner"
  label  = "${var.name}-inner"
}

output "function_arn" {
  value = aws_lambda_function.this.arn
}
