resource "aws_cloudwatch_log_group" "chaos_app" {
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
  # Encrypted at rest with a key CloudWatch Logs owns. A customer-managed key (kms_key_id) would
  # also need a key policy for logs.<region>.amazonaws.com: left out of this example.
}
