# Amazon Linux 2023 for the instance type's architecture (t4g.* and other Graviton types: arm64).
data "aws_ec2_instance_type" "patient" {
  instance_type = var.instance_type
}

locals {
  architecture = contains(data.aws_ec2_instance_type.patient.supported_architectures, "arm64") ? "arm64" : "x86_64"
  image        = "${aws_ecr_repository.chaos_app.repository_url}:${var.image_tag}"

  chaos_app_args = concat(var.chaos_app_args, var.log_format == "text" ? ["--format", "text"] : [])
  # Text output spreads a stack trace over several lines. Every event chaos-app writes starts
  # with a timestamp (ISO / Java / Postgres "2026-01-01", Go / nginx "2026/01/01", syslog
  # "Jan  1"), so a line that does not is a continuation: the traceback stays one event.
  multiline_pattern = var.log_format == "text" ? "^(\\d{4}[-/]\\d{2}[-/]\\d{2}|[A-Z][a-z]{2} [ 0-9]\\d )" : ""
}

data "aws_ssm_parameter" "al2023" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${local.architecture}"
}

data "aws_vpc" "default" {
  count   = var.subnet_id == null ? 1 : 0
  default = true
}

data "aws_subnets" "default" {
  count = var.subnet_id == null ? 1 : 0

  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default[0].id]
  }

  filter {
    name   = "default-for-az"
    values = ["true"]
  }
}

data "aws_subnet" "patient" {
  id = var.subnet_id != null ? var.subnet_id : sort(data.aws_subnets.default[0].ids)[0]
}

# No inbound rule at all. Outbound HTTPS only: the package mirrors, ECR (and its S3 layers) and
# CloudWatch Logs. DNS, NTP and the metadata service are link-local and need no rule.
resource "aws_security_group" "patient" {
  name_prefix = "chaos-app-"
  description = "chaos-app: no inbound, HTTPS out"
  vpc_id      = data.aws_subnet.patient.vpc_id

  egress {
    description = "HTTPS to AWS APIs, ECR and the Amazon Linux mirrors"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_instance" "patient" {
  ami                    = data.aws_ssm_parameter.al2023.insecure_value
  instance_type          = var.instance_type
  subnet_id              = data.aws_subnet.patient.id
  vpc_security_group_ids = [aws_security_group.patient.id]
  iam_instance_profile   = aws_iam_instance_profile.instance.name
  key_name               = var.key_name

  user_data_replace_on_change = true
  user_data = templatefile("${path.module}/user_data.sh.tftpl", {
    region            = var.region
    registry          = split("/", aws_ecr_repository.chaos_app.repository_url)[0]
    image             = local.image
    log_group         = aws_cloudwatch_log_group.chaos_app.name
    multiline_pattern = local.multiline_pattern
    args              = join(" ", local.chaos_app_args)
  })

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required" # IMDSv2 only
    # One hop: the host (dockerd's awslogs driver, the ECR login) reaches the metadata service,
    # containers (one hop further) do not, so the app cannot borrow the instance role.
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    encrypted   = true
    volume_type = "gp3"
  }

  tags = {
    Name = "chaos-app"
  }

  lifecycle {
    # A newer AL2023 release must not replace the running patient on every apply.
    ignore_changes = [ami]
  }

  # The container logs from its first second: the role's policy must exist before boot.
  depends_on = [aws_iam_role_policy.instance]
}
