variable "google_service_account_unique_id" {
  description = "Numeric unique id of the doctor's GCP service account (terraform -chdir=infra/terraform/gcp output -raw service_account_unique_id). Both accounts trust this one."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{10,32}$", var.google_service_account_unique_id))
    error_message = "google_service_account_unique_id is the service account's numeric unique id (digits only), not its email."
  }
}

variable "token_audience" {
  description = "DOCTOR_TOKEN_AUDIENCE of the doctor; every account's trust policy requires it."
  type        = string
  default     = "sts.amazonaws.com/cloud-doctor"
}

variable "role_name" {
  description = "Name of the doctor's role, the same in every account."
  type        = string
  default     = "cloud-doctor"
}

variable "prod" {
  description = "The first patient account: its target name in DOCTOR_TARGETS_FILE, account id, region, the log groups the doctor may read, and how Terraform reaches it (a profile and/or a deployment role to assume)."
  type = object({
    target          = string
    account_id      = string
    region          = string
    log_groups      = list(string)
    deploy_role_arn = optional(string)
    profile         = optional(string)
  })

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]{0,62}$", var.prod.target)) && can(regex("^[0-9]{12}$", var.prod.account_id))
    error_message = "prod: target is a doctor target name (lower-case letters, digits, _ and -), account_id the 12-digit account id."
  }
}

variable "staging" {
  description = "The second patient account, like prod."
  type = object({
    target          = string
    account_id      = string
    region          = string
    log_groups      = list(string)
    deploy_role_arn = optional(string)
    profile         = optional(string)
  })

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]{0,62}$", var.staging.target)) && can(regex("^[0-9]{12}$", var.staging.account_id))
    error_message = "staging: target is a doctor target name (lower-case letters, digits, _ and -), account_id the 12-digit account id."
  }
}

variable "tags" {
  description = "Tags on every resource, in both accounts."
  type        = map(string)
  default = {
    project    = "cloud-doctor"
    managed-by = "terraform"
  }
}
