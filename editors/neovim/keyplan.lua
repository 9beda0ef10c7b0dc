-- keyplan in Neovim (0.7 or later): `.kp` files get the `keyplan` filetype and the
-- `keyplan lsp` language server. Put this file in ~/.config/nvim/plugin/ or `dofile` it
-- from init.lua; `keyplan` must be on PATH (or set vim.g.keyplan_cmd).

vim.filetype.add({ extension = { kp = 'keyplan' } })

local function start()
  local cmd = vim.g.keyplan_cmd or { 'keyplan', 'lsp' }
  local root = vim.fs and vim.fs.dirname(vim.fs.find({ '.git' }, { upward = true })[1] or '')
  local client = vim.lsp.start_client({
    name = 'keyplan',
    cmd = cmd,
    root_dir = (root ~= '' and root) or vim.fn.getcwd(),
    -- { target = "openbao" } checks against OpenBao's endpoints instead of Vault's.
    init_options = vim.g.keyplan_init_options or {},
  })
  if client then
    vim.lsp.buf_attach_client(0, client)
  end
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'keyplan',
  callback = function()
    vim.bo.commentstring = '# %s'
    start()
  end,
})
