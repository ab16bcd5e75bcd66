# The doctor's role. No access key exists for it anywhere: Cloud Run's metadata server signs an
# ID token for the doctor's service account, and STS AssumeRoleWithWebIdentity trades it for
# one-hour credentials. The trust policy admits that one service account only:
#   accounts.google.com:sub  = its numeric unique id (the token's sub),
#   accounts.google.com:aud  = the same id (for Google tokens IAM maps `aud` to the azp claim,
#                              which is the service account's id),
#   accounts.google.com:oaud = the audience the doctor asked for (the token's real aud).
# A condition on the email would never match: the email is not among the keys IAM evaluates.
resource "aws_iam_role" "doctor" {
  name                 = var.doctor_role_name
  description          = "Cloud Doctor on Cloud Run: read-only access to the allowed log groups"
  max_session_duration = 3600
  assume_role_policy = templatefile("${local.policies_dir}/doctor-trust.json.tftpl", {
    google_service_account_unique_id = var.google_service_account_unique_id
    token_audience                   = var.token_audience
  })
}

# Read-only, and only the allowed groups. GetQueryResults and StopQuery take no resource ARN
# (AWS does not support resource-level permissions for them), hence "*"; they only reach
# queries started with StartQuery, which is scoped.
resource "aws_iam_role_policy" "doctor_read_logs" {
  name = "read-logs"
  role = aws_iam_role.doctor.id
  policy = templatefile("${local.policies_dir}/doctor-read-logs.json.tftpl", {
    log_group_resources = local.doctor_log_group_resources
  })
}

resource "aws_iam_role_policy" "doctor_list_log_groups" {
  count = var.doctor_can_list_log_groups ? 1 : 0
  name  = "list-log-groups"
  role  = aws_iam_role.doctor.id
  policy = templatefile("${local.policies_dir}/doctor-list-log-groups.json.tftpl", {
    log_groups_in_region = "${local.logs_arn_prefix}:*"
  })
}
