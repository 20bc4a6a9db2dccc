variable "cfg" {
  type = object({
    timeout = optional(number, 30)
    memory  = optional(number)
    name    = string
    nested  = optional(object({ size = optional(number, 512) }), {})
  })
  default = { name = "x" }
}
variable "fns" {
  type = map(object({ timeout = optional(number, 60) }))
  default = { a = {}, b = { timeout = 5 } }
}
resource "aws_lambda_function" "f" {
  function_name = var.cfg.name
  timeout       = var.cfg.timeout
  memory_size   = var.cfg.memory
  ephemeral_storage {
    size = var.cfg.nested.size
  }
}
resource "aws_lambda_function" "g" {
  timeout = var.fns["a"].timeout + var.fns.b.timeout
}
