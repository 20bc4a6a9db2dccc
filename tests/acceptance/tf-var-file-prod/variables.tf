variable "environment" {
  type = string
}

variable "settlement_timeout" {
  description = "Seconds the nightly settlement run may take"
  type        = number
  default     = 300
}

variable "settlement_memory" {
  type    = number
  default = 1024
}

variable "webhook_timeout" {
  type    = number
  default = 10
}
