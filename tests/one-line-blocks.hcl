# policy trainer (derived from workload trainer)
path "secret/data/models/*" {
  capabilities = ["read"]
}

path "ssh/sign/gpu-hosts" {
  capabilities = ["update"]
}
