"""Infrastructure: Terraform roots (terraform/), shared policy documents (policies/) and the
same resources in an AWS emulator for local demos (local/). A package so that
`python -m infra.local.bootstrap` works from the repository root."""
