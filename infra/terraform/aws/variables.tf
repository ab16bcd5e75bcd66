# --- the patient: chaos-app on EC2, its image and its logs

variable "region" {
  description = "AWS region of the patient and its logs."
  type        = string
  default     = "us-east-1"
}

variable "log_group_name" {
  description = "CloudWatch Logs group the chaos-app container writes to (the doctor's default group)."
  type        = string
  default     = "/aws/ec2/chaos-app"
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the patient's events."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, …)."
  }
}

variable "ecr_repository_name" {
  description = "ECR repository for the chaos-app image."
  type        = string
  default     = "chaos-app"
}

variable "ecr_keep_images" {
  description = "The ECR lifecycle policy keeps this many most recent images and expires older ones."
  type        = number
  default     = 10
}

variable "ecr_untagged_expire_days" {
  description = "Untagged images (replaced pushes) expire this many days after they were pushed."
  type        = number
  default     = 7
}

variable "image_tag" {
  description = "Tag of the chaos-app image in ECR that the instance runs. Tags are immutable: push a new tag per release."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid Docker tag."
  }
}

variable "instance_type" {
  description = "EC2 instance type. Graviton types (t4g.*) get the arm64 AMI: push an arm64 image then."
  type        = string
  default     = "t3.micro"
}

variable "subnet_id" {
  description = "Subnet for the instance; it needs outbound HTTPS (public IP or NAT). Default: a default subnet of the default VPC."
  type        = string
  default     = null
}

variable "key_name" {
  description = "EC2 key pair for SSH. None by default: the instance has no inbound rule at all (use SSM, see enable_ssm)."
  type        = string
  default     = null
}

variable "enable_ssm" {
  description = "Attach AmazonSSMManagedInstanceCore to the instance role (Session Manager shell). Off: the role then only writes its log group and pulls its image."
  type        = bool
  default     = false
}

variable "instance_role_name" {
  description = "Name of the EC2 instance role (and its instance profile)."
  type        = string
  default     = "chaos-app-instance"
}

variable "chaos_app_args" {
  description = "Arguments of the chaos-app container (its entrypoint is `chaos-app`)."
  type        = list(string)
  default     = ["run", "--scenario", "all", "--rate", "2"]

  validation {
    condition     = alltrue([for arg in var.chaos_app_args : can(regex("^[A-Za-z0-9_.,=:/+-]+$", arg))])
    error_message = "chaos_app_args are passed to a shell unquoted: letters, digits and _.,=:/+- only."
  }
}

variable "log_format" {
  description = "json (one event per line, the default) or text (each software's own format; stack traces span lines and are joined by the awslogs multiline pattern)."
  type        = string
  default     = "json"

  validation {
    condition     = contains(["json", "text"], var.log_format)
    error_message = "log_format must be json or text."
  }
}

# --- the doctor's role: assumed from GCP with a Google-signed ID token

variable "doctor_role_name" {
  description = "Name of the role the doctor assumes. infra/terraform/gcp builds AWS_ROLE_ARN from it: keep both equal."
  type        = string
  default     = "cloud-doctor"
}

variable "google_service_account_unique_id" {
  description = "Numeric unique id of the doctor's GCP service account (output service_account_unique_id of infra/terraform/gcp). Not the email: Google ID tokens carry the id in sub and azp."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{10,32}$", var.google_service_account_unique_id))
    error_message = "google_service_account_unique_id is the service account's numeric unique id (digits only), not its email."
  }
}

variable "token_audience" {
  description = "Audience the doctor requests for its ID token (DOCTOR_TOKEN_AUDIENCE); the trust policy requires it as accounts.google.com:oaud."
  type        = string
  default     = "sts.amazonaws.com/cloud-doctor"

  validation {
    condition     = can(regex("^[A-Za-z0-9:/._-]+$", var.token_audience))
    error_message = "token_audience: letters, digits and :/._- only."
  }
}

variable "doctor_allowed_log_groups" {
  description = "Log groups the doctor may read (DOCTOR_ALLOWED_LOG_GROUPS). Empty: only log_group_name."
  type        = list(string)
  default     = []
}

variable "doctor_can_list_log_groups" {
  description = "Also allow logs:DescribeLogGroups. It cannot be scoped below account and region (it lists every group's name) and the doctor does not need it, so it is off."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default = {
    project    = "cloud-doctor"
    managed-by = "terraform"
  }
}
