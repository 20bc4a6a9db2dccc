variable "label" {}

resource "aws_instance" "box" {
  instance_type = "t3.small"
  tags          = { Name = var.label }
}
