variable "environment" {
  type    = string
  default = "staging"
}

variable "legacy_importer_enabled" {
  description = "The v1 CSV importer. Replaced by the batch pipeline; kept for a rollback window."
  type        = bool
  default     = false
}

variable "statements_api_enabled" {
  type    = bool
  default = true
}
