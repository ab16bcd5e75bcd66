# The instance role: docker's awslogs driver writes the container's output to one log group,
# and the host pulls one image. Nothing else (SSM only when enable_ssm is set).
resource "aws_iam_role" "instance" {
  name                 = var.instance_role_name
  description          = "chaos-app on EC2: write its log group, pull its image"
  max_session_duration = 3600
  assume_role_policy   = templatefile("${local.policies_dir}/patient-instance-trust.json.tftpl", {})
}

# ecr:GetAuthorizationToken supports no resource-level permissions, hence "*"; the token it
# returns is useless without the repository-scoped pull actions.
resource "aws_iam_role_policy" "instance" {
  name = "write-logs-pull-image"
  role = aws_iam_role.instance.id
  policy = templatefile("${local.policies_dir}/patient-instance.json.tftpl", {
    log_group_arn      = aws_cloudwatch_log_group.chaos_app.arn
    ecr_repository_arn = aws_ecr_repository.chaos_app.arn
  })
}

resource "aws_iam_role_policy_attachment" "instance_ssm" {
  count      = var.enable_ssm ? 1 : 0
  role       = aws_iam_role.instance.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "instance" {
  name = aws_iam_role.instance.name
  role = aws_iam_role.instance.name
}
