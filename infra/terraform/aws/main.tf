data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # IAM and ECR policy documents live in infra/policies, shared with infra/local/bootstrap.py
  # (the same resources in moto for the demo). Only ${name} and ${jsonencode(name)} may be used
  # in them: Python renders them too.
  policies_dir = "${path.module}/../../policies"

  account_id      = data.aws_caller_identity.current.account_id
  partition       = data.aws_partition.current.partition
  logs_arn_prefix = "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group"

  doctor_log_groups = length(var.doctor_allowed_log_groups) > 0 ? var.doctor_allowed_log_groups : [var.log_group_name]

  # Each group as "<arn>" and "<arn>:*": CloudWatch Logs authorizes some actions against the bare
  # group ARN and others against the ":*" form, which also covers the group's log streams.
  # infra/local/bootstrap.py's log_group_resources() builds the same list.
  doctor_log_group_resources = flatten([
    for name in local.doctor_log_groups : [
      "${local.logs_arn_prefix}:${name}",
      "${local.logs_arn_prefix}:${name}:*",
    ]
  ])
}
