-- Driven by tests/neovim.rs: a real Neovim (0.7+) with the repository's own snippet
-- (editors/neovim/keyplan.lua) edits a program of two files. KP_BIN, KP_DIR, KP_SNIPPET
-- and KP_RESULT come from the test.
local out = { steps = {} }
local function step(name, value) out.steps[#out.steps + 1] = name; out[name] = value end

local function run()
  vim.g.keyplan_cmd = { os.getenv('KP_BIN'), 'lsp' }
  vim.cmd('luafile ' .. os.getenv('KP_SNIPPET'))
  local dir = os.getenv('KP_DIR')
  -- Both files open: one server, one program, unsaved edits of each seen by the other.
  vim.cmd('edit ' .. dir .. '/mounts.kp')
  local mounts = vim.api.nvim_get_current_buf()
  vim.cmd('edit ' .. dir .. '/workloads.kp')
  local workloads = vim.api.nvim_get_current_buf()
  local clients = vim.lsp.buf_get_clients(workloads)
  local client
  for _, c in pairs(clients) do client = c end
  if not client then error('the snippet attached no client') end
  local n = 0
  for _ in pairs(vim.lsp.get_active_clients()) do n = n + 1 end
  step('servers', n)
  local uri = vim.uri_from_bufnr(workloads)

  local function pos(buf, line_has, needle, offset)
    for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
      if l:find(line_has, 1, true) then
        return { line = i - 1, character = l:find(needle, 1, true) - 1 + (offset or 0) }
      end
    end
    error('no line with ' .. line_has)
  end
  local function req(method, params)
    local r, err = client.request_sync(method, params, 5000, workloads)
    if not r then error(method .. ': ' .. tostring(err)) end
    if r.err then error(method .. ': ' .. vim.inspect(r.err)) end
    return r.result
  end

  -- The typo in workloads.kp is reported there, not in mounts.kp.
  vim.wait(10000, function() return #vim.diagnostic.get(workloads) > 0 end, 20)
  step('diagnostics', vim.tbl_map(function(d) return d.lnum end, vim.diagnostic.get(workloads)))
  step('diagnostics_mounts', #vim.diagnostic.get(mounts))

  -- Definition of a role declared in the other file.
  local def = req('textDocument/definition', { textDocument = { uri = uri }, position = pos(workloads, 'creds', 'readonly', 1) })
  step('definition_file', vim.fn.fnamemodify(vim.uri_to_fname(def.uri), ':t'))
  step('definition_line', def.range.start.line)

  -- Rename it: both buffers change.
  local edit = req('textDocument/rename', { textDocument = { uri = uri }, position = pos(workloads, 'creds', 'readonly', 1), newName = 'reader' })
  vim.lsp.util.apply_workspace_edit(edit, 'utf-16')
  step('mounts_after_rename', vim.api.nvim_buf_get_lines(mounts, 0, -1, false))
  step('workloads_after_rename', vim.api.nvim_buf_get_lines(workloads, 0, -1, false))

  -- Fix the typo: the list clears; the renamed program stays clean in both files.
  local fix = pos(workloads, 'adit', 'adit')
  vim.api.nvim_buf_set_text(workloads, fix.line, fix.character - 2, fix.line, fix.character + 4, {})
  vim.wait(10000, function() return #vim.diagnostic.get(workloads) == 0 end, 20)
  vim.wait(300, function() return false end, 50)
  step('diagnostics_after_fix', #vim.diagnostic.get(workloads))
  step('diagnostics_mounts_after_fix', #vim.diagnostic.get(mounts))
end

local ok, err = pcall(run)
if not ok then out.error = tostring(err) end
vim.fn.writefile({ vim.fn.json_encode(out) }, os.getenv('KP_RESULT'))
vim.cmd('qa!')
