-- Driven by tests/neovim.rs: the plugin (editors/neovim/keyplan.lua) on the runtimepath of
-- a real Neovim, which was started on a `.kp` file with an error (KP_FIXTURE). Records
-- the buffer's filetype, the clients attached and the diagnostics that arrived, then the
-- same for a second `.kp` file (KP_SECOND), which must share the one server.
local out = {}

local function code(d)
  return d.user_data and d.user_data.lsp and d.user_data.lsp.code or d.code
end

local function clients(buf)
  local names = {}
  for id, c in pairs(vim.lsp.buf_get_clients(buf)) do
    names[#names + 1] = { name = c.name, id = id }
  end
  return names
end

local function observe(buf)
  vim.wait(10000, function() return #vim.lsp.buf_get_clients(buf) > 0 end, 20)
  vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
  return {
    filetype = vim.bo[buf].filetype,
    commentstring = vim.bo[buf].commentstring,
    clients = clients(buf),
    diagnostics = vim.tbl_map(function(d) return { lnum = d.lnum, code = code(d) } end, vim.diagnostic.get(buf)),
  }
end

local function run()
  out.version = vim.version().minor
  out.first = observe(vim.api.nvim_get_current_buf())
  vim.cmd('edit ' .. os.getenv('KP_SECOND'))
  out.second = observe(vim.api.nvim_get_current_buf())
end

local ok, err = pcall(run)
if not ok then out.error = tostring(err) end
vim.fn.writefile({ vim.fn.json_encode(out) }, os.getenv('KP_RESULT'))
vim.cmd('qa!')
