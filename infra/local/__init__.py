"""The Terraform-managed AWS resources the demo needs, created in moto (see bootstrap.py)."""
