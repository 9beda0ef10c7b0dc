# policies/shared-reader.hcl
path "secret/data/shared/*" {
  capabilities = ["read"]
}

# policies/trainer.hcl
# policy trainer (derived from workload trainer)
path "secret/data/models/*" {
  capabilities = ["read"]
}
