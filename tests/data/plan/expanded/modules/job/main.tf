variable "timeout" {}
variable "queue" {}
resource "terraform_data" "this" {
  input = { timeout = var.timeout, queue = var.queue }
}
output "id" {
  value = terraform_data.this.id
}
