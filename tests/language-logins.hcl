# policies/deployer.hcl
# policy deployer (derived from workload deployer)
path "secret/data/deploy/*" {
  capabilities = ["read"]
}

# policies/builder.hcl
# policy builder (derived from workload builder)
path "secret/data/build/*" {
  capabilities = ["read"]
}

# policies/orchestrator.hcl
# policy orchestrator (derived from workload orchestrator)
path "auth/approle/role/builder/role-id" {
  capabilities = ["read"]
}

path "auth/approle/role/builder/secret-id" {
  capabilities = ["update"]
}

# policies/operator.hcl
# policy operator (derived from workload operator)
path "sys/health" {
  capabilities = ["read"]
}
