variable "create" {
  description = "Controls whether any resource of this stack is created"
  type        = bool
  default     = true
}

variable "create_search_url" {
  description = "Expose catalog search through a Lambda function URL"
  type        = bool
  default     = true
}

variable "create_export_url" {
  description = "Expose the price export through a Lambda function URL (for the partner portal)"
  type        = bool
  default     = false
}

variable "create_export_alias" {
  type    = bool
  default = false
}

variable "export_provisioned_concurrency" {
  type    = number
  default = 4
}
