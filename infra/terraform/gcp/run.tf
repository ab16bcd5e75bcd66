locals {
  # Plain settings of the doctor (names: doctor.settings.Settings). Empty values are left out.
  plain_env = { for name, value in {
    AWS_ROLE_ARN              = local.aws_role_arn
    AWS_REGION                = var.aws_region
    AWS_LOG_GROUP_NAME        = var.aws_log_group_name
    DOCTOR_ALLOWED_LOG_GROUPS = join(",", local.allowed_log_groups)
    DOCTOR_TOKEN_AUDIENCE     = var.token_audience
    DOCTOR_ENGINE             = var.doctor_engine
    GCP_PROJECT_ID            = var.project_id
    GCP_LOCATION              = var.vertex_location
    GEMINI_MODEL              = var.gemini_model
    SLACK_CHANNEL             = var.slack_channel
    DOCTOR_PUBLIC_URL         = var.public_url
    DOCTOR_TARGETS_FILE       = local.targets_enabled ? local.targets_file : ""
  } : name => value if value != "" }

  # Secrets whose values Terraform writes (cloudsql.tf): environment variable => the secret and
  # its version, pinned so that a new value rolls out a new revision.
  generated_secrets = var.enable_cloud_sql ? {
    DOCTOR_DATABASE_URL = {
      secret  = google_secret_manager_secret.database_url[0].secret_id
      version = google_secret_manager_secret_version.database_url[0].version
    }
  } : {}
}

resource "google_cloud_run_v2_service" "doctor" {
  name                = var.service_name
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = var.deletion_protection
  labels              = var.labels

  template {
    service_account                  = google_service_account.doctor.email
    timeout                          = "300s"
    max_instance_request_concurrency = 20

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    # The Cloud SQL connector (enable_cloud_sql): a unix socket per instance under /cloudsql.
    dynamic "volumes" {
      for_each = local.cloud_sql_connection_names
      content {
        name = "cloudsql"
        cloud_sql_instance {
          instances = [volumes.value]
        }
      }
    }

    # DOCTOR_TARGETS_FILE (targets_toml): the secret as one read-only file in targets_dir. The
    # version is pinned: a changed TOML makes a new revision, which reads it at start-up.
    dynamic "volumes" {
      for_each = google_secret_manager_secret_version.targets
      content {
        name = "targets"
        secret {
          secret = google_secret_manager_secret.targets[0].secret_id
          items {
            version = volumes.value.version
            path    = local.targets_file_name
          }
        }
      }
    }

    containers {
      image = local.image

      # Cloud Run sets PORT to this; `cloud-doctor serve` listens on $PORT on all interfaces.
      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        # CPU always allocated: a Slack command is acknowledged at once and the diagnosis is
        # posted afterwards, outside any request; with request-only CPU that work would stall.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.plain_env
        content {
          name  = env.key
          value = env.value
        }
      }

      # Secrets come from Secret Manager at instance start; the values are never in Terraform.
      dynamic "env" {
        for_each = local.secrets
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.doctor[env.key].secret_id
              version = "latest"
            }
          }
        }
      }

      # A Terraform-generated secret (DOCTOR_DATABASE_URL): only ever a secret reference.
      dynamic "env" {
        for_each = local.generated_secrets
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value.secret
              version = env.value.version
            }
          }
        }
      }

      dynamic "volume_mounts" {
        for_each = local.cloud_sql_connection_names
        content {
          name       = "cloudsql"
          mount_path = local.cloud_sql_mount
        }
      }

      dynamic "volume_mounts" {
        for_each = google_secret_manager_secret_version.targets
        content {
          name       = "targets"
          mount_path = local.targets_dir
        }
      }

      # Both probes ask /healthz (the process answers), not /readyz (POST /analyze could work):
      # a startup probe on /readyz would fail a whole deploy with a probe timeout instead of
      # a readable reason when a setting is missing (an alerts- or Slack-only doctor has no
      # DOCTOR_API_TOKEN by design), and a liveness probe on it would restart a doctor whose
      # configuration a restart cannot fix. The start-up log line and GET /readyz say why.
      startup_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 2
        timeout_seconds   = 1
        failure_threshold = 30
      }

      liveness_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }

  # The revision starts only once it may read its secrets, call Vertex AI and reach Cloud SQL.
  depends_on = [
    google_secret_manager_secret_iam_member.doctor,
    google_secret_manager_secret_iam_member.database_url,
    google_secret_manager_secret_iam_member.targets,
    google_project_iam_member.doctor_vertex,
    google_project_iam_member.doctor_cloudsql,
    google_sql_database.history,
  ]
}

# Slack's servers must reach /slack/events and have no Google identity: see allow_unauthenticated.
resource "google_cloud_run_v2_service_iam_member" "public" {
  count    = var.allow_unauthenticated ? 1 : 0
  project  = var.project_id
  location = google_cloud_run_v2_service.doctor.location
  name     = google_cloud_run_v2_service.doctor.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
