variable "export_timeout" {
  type    = number
  default = 300
}

variable "default_timeout" {
  type    = number
  default = 840
}
