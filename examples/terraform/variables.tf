variable "environment" {
  type    = string
  default = "production"
}

variable "batch_instance_type" {
  type        = string
  description = "Instance type for the invoice batch host"
  default     = "t3.large"
}

variable "reconcile_timeout" {
  type        = number
  description = "Seconds the reconciliation Lambda may run"
  default     = 300
}
