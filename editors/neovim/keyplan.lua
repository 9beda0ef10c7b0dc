-- keyplan in Neovim (0.7 or later): `.kp` files get the `keyplan` filetype and the
-- `keyplan lsp` language server. Put this file in ~/.config/nvim/plugin/ or `dofile` it
-- from init.lua; `keyplan` must be on PATH (or set vim.g.keyplan_cmd).

-- The filetype. `vim.filetype.add` is read by Neovim 0.8+, and by 0.7 only with
-- `vim.g.do_filetype_lua = 1`; the autocommand covers 0.7 without it (and a buffer
-- whose filetype something else set first).
if vim.filetype and vim.filetype.add then
  vim.filetype.add({ extension = { kp = 'keyplan' } })
end
local group = vim.api.nvim_create_augroup('keyplan', { clear = true })
vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
  group = group,
  pattern = '*.kp',
  callback = function()
    if vim.bo.filetype ~= 'keyplan' then
      vim.bo.filetype = 'keyplan'
    end
  end,
})

-- One server for every `.kp` buffer: a program is every `.kp` file of a directory, so
-- the server must see all the open buffers of that directory, unsaved edits included.
local client_id

local function start()
  local buf = vim.api.nvim_get_current_buf()
  if client_id and vim.lsp.get_client_by_id(client_id) then
    vim.lsp.buf_attach_client(buf, client_id)
    return
  end
  local cmd = vim.g.keyplan_cmd or { 'keyplan', 'lsp' }
  -- `vim.fs` is Neovim 0.8+: on 0.7 the server's root is the working directory.
  local root = vim.fs and vim.fs.dirname(vim.fs.find({ '.git' }, { upward = true })[1] or '')
  client_id = vim.lsp.start_client({
    name = 'keyplan',
    cmd = cmd,
    root_dir = (root and root ~= '' and root) or vim.fn.getcwd(),
    -- { target = "openbao" } (or "vault") checks against that server's endpoints instead
    -- of the ones each program implies (as `keyplan check` without `--target`);
    -- { program = "file" } checks each file alone instead of its whole directory.
    init_options = vim.g.keyplan_init_options or {},
  })
  if client_id then
    vim.lsp.buf_attach_client(buf, client_id)
  end
end

vim.api.nvim_create_autocmd('FileType', {
  group = group,
  pattern = 'keyplan',
  callback = function()
    vim.bo.commentstring = '# %s'
    start()
  end,
})
