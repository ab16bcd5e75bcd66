# --- GCP

variable "project_id" {
  description = "GCP project of the doctor (also GCP_PROJECT_ID: Gemini runs on Vertex AI in it)."
  type        = string
}

variable "region" {
  description = "Region of Cloud Run and Artifact Registry."
  type        = string
  default     = "us-central1"
}

variable "vertex_location" {
  description = "GCP_LOCATION: Vertex AI location for Gemini (global serves the Gemini 3 models; or a multi-region)."
  type        = string
  default     = "global"
}

variable "gemini_model" {
  description = "GEMINI_MODEL: a current GA Gemini Flash model (gemini-2.5-flash is retired)."
  type        = string
  default     = "gemini-3.8-flash"
}

variable "doctor_engine" {
  description = "DOCTOR_ENGINE: auto (Gemini, rules as fallback), gemini or rules."
  type        = string
  default     = "auto"

  validation {
    condition     = contains(["auto", "gemini", "rules"], var.doctor_engine)
    error_message = "doctor_engine must be auto, gemini or rules."
  }
}

variable "service_name" {
  description = "Cloud Run service name."
  type        = string
  default     = "cloud-doctor"
}

variable "service_account_id" {
  description = "Account id of the doctor's service account (its email is <id>@<project>.iam.gserviceaccount.com)."
  type        = string
  default     = "cloud-doctor"
}

variable "artifact_repository_id" {
  description = "Artifact Registry Docker repository of the doctor image."
  type        = string
  default     = "cloud-doctor"
}

variable "artifact_keep_images" {
  description = "The cleanup policy keeps this many most recent versions of each image."
  type        = number
  default     = 10
}

variable "image_tag" {
  description = "Tag of the cloud-doctor image in Artifact Registry (tags are immutable: a new tag per release)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid Docker tag."
  }
}

variable "min_instances" {
  description = "Minimum Cloud Run instances. 0 scales to zero (cheapest; the first request after idle waits for a cold start). 1 keeps one warm: Slack wants its answer within 3 s."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "Maximum Cloud Run instances (caps cost and the rate of Gemini calls)."
  type        = number
  default     = 3
}

variable "cpu" {
  description = "vCPUs per instance."
  type        = string
  default     = "1"
}

variable "memory" {
  description = "Memory per instance."
  type        = string
  default     = "512Mi"
}

variable "allow_unauthenticated" {
  description = "Grant roles/run.invoker to allUsers. Slack's servers must reach /slack/events and carry no Google identity; the API is still protected by its bearer token (DOCTOR_API_TOKEN) and Slack requests by their signature. Set false to require IAM-authenticated callers (Slack commands then cannot reach the service)."
  type        = bool
  default     = true
}

variable "enable_slack" {
  description = "Create the Slack secrets and pass them to the service. Their versions must exist before the service is deployed."
  type        = bool
  default     = true
}

variable "slack_channel" {
  description = "SLACK_CHANNEL: default channel for posted diagnoses (empty: none)."
  type        = string
  default     = ""
}

variable "deletion_protection" {
  description = "Refuse to destroy the Cloud Run service from Terraform."
  type        = bool
  default     = false
}

variable "labels" {
  description = "Labels on the resources that take them."
  type        = map(string)
  default = {
    project    = "cloud-doctor"
    managed-by = "terraform"
  }
}

# --- AWS: where the patient's logs are (infra/terraform/aws)

variable "aws_account_id" {
  description = "AWS account of the patient. With aws_doctor_role_name it gives AWS_ROLE_ARN, known before the AWS root is applied (the role's ARN is deterministic), so neither root waits for the other's output to be fed back."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id is the 12-digit AWS account id."
  }
}

variable "aws_partition" {
  description = "AWS partition of the account (aws, aws-us-gov, aws-cn)."
  type        = string
  default     = "aws"
}

variable "aws_doctor_role_name" {
  description = "Name of the doctor's role in AWS: doctor_role_name of infra/terraform/aws."
  type        = string
  default     = "cloud-doctor"
}

variable "aws_region" {
  description = "AWS_REGION: region of the patient's logs."
  type        = string
  default     = "us-east-1"
}

variable "aws_log_group_name" {
  description = "AWS_LOG_GROUP_NAME: the default log group."
  type        = string
  default     = "/aws/ec2/chaos-app"
}

variable "aws_allowed_log_groups" {
  description = "DOCTOR_ALLOWED_LOG_GROUPS. Empty: only aws_log_group_name. The AWS role must allow the same groups (doctor_allowed_log_groups there)."
  type        = list(string)
  default     = []
}

variable "token_audience" {
  description = "DOCTOR_TOKEN_AUDIENCE: the audience of the ID token the doctor trades for AWS credentials; the AWS trust policy requires it (accounts.google.com:oaud)."
  type        = string
  default     = "sts.amazonaws.com/cloud-doctor"

  validation {
    condition     = can(regex("^[A-Za-z0-9:/._-]+$", var.token_audience))
    error_message = "token_audience: letters, digits and :/._- only (the AWS root has the same rule)."
  }
}
