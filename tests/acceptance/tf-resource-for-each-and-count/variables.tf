variable "shard_timeouts" {
  description = "Per-shard reindex timeout; shard 2 holds the archive partitions"
  type        = list(number)
  default     = [120, 120, 840]
}
