# The doctor's access to one patient AWS account: a role that the doctor's Google service account
# (and nothing else) assumes with STS AssumeRoleWithWebIdentity, and that may only read the named
# log groups. Apply it once per account, each time with the same service account unique id.
#
# No access key exists for the role anywhere: Cloud Run's metadata server signs an ID token for
# the doctor's service account, and STS trades it for one-hour credentials. The trust policy
# admits that one service account only:
#   accounts.google.com:sub  = its numeric unique id (the token's sub),
#   accounts.google.com:aud  = the same id (for Google tokens IAM maps `aud` to the azp claim,
#                              which is the service account's id),
#   accounts.google.com:oaud = the audience the doctor asked for (the token's real aud).
# A condition on the email would never match: the email is not among the keys IAM evaluates.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  # The policy documents live in infra/policies, shared with infra/local/bootstrap.py (the same
  # role in moto for the demo). Only ${name} and ${jsonencode(name)} may be used in them: Python
  # renders them too. A git source keeps this path: Terraform fetches the whole repository.
  policies_dir = "${path.module}/../../../policies"

  account_id      = data.aws_caller_identity.current.account_id
  partition       = data.aws_partition.current.partition
  region          = data.aws_region.current.name
  logs_arn_prefix = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"

  # Each group as "<arn>" and "<arn>:*": CloudWatch Logs authorizes some actions against the bare
  # group ARN and others against the ":*" form, which also covers the group's log streams.
  # infra/local/bootstrap.py's log_group_resources() builds the same list.
  log_group_resources = flatten([
    for name in var.log_groups : [
      "${local.logs_arn_prefix}:${name}",
      "${local.logs_arn_prefix}:${name}:*",
    ]
  ])
}

resource "aws_iam_role" "doctor" {
  name                 = var.role_name
  description          = "Cloud Doctor on Cloud Run: read-only access to the allowed log groups"
  max_session_duration = 3600
  assume_role_policy = templatefile("${local.policies_dir}/doctor-trust.json.tftpl", {
    google_service_account_unique_id = var.google_service_account_unique_id
    token_audience                   = var.token_audience
  })
  tags = var.tags
}

# Read-only, and only the allowed groups. GetQueryResults and StopQuery take no resource ARN
# (AWS does not support resource-level permissions for them), hence "*"; they only reach
# queries started with StartQuery, which is scoped.
resource "aws_iam_role_policy" "doctor_read_logs" {
  name = "read-logs"
  role = aws_iam_role.doctor.id
  policy = templatefile("${local.policies_dir}/doctor-read-logs.json.tftpl", {
    log_group_resources = local.log_group_resources
  })
}

resource "aws_iam_role_policy" "doctor_list_log_groups" {
  count = var.can_list_log_groups ? 1 : 0
  name  = "list-log-groups"
  role  = aws_iam_role.doctor.id
  policy = templatefile("${local.policies_dir}/doctor-list-log-groups.json.tftpl", {
    log_groups_in_region = "${local.logs_arn_prefix}:*"
  })
}
