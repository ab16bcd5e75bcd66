data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # IAM and ECR policy documents live in infra/policies, shared with the doctor-access module
  # and infra/local/bootstrap.py (the same resources in moto for the demo). Only ${name} and
  # ${jsonencode(name)} may be used in them: Python renders them too.
  policies_dir = "${path.module}/../../policies"

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # The doctor's role (module doctor_access) may read these groups, and only these.
  doctor_log_groups = length(var.doctor_allowed_log_groups) > 0 ? var.doctor_allowed_log_groups : [var.log_group_name]
}
