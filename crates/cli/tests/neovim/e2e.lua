-- Driven by tests/neovim.rs: a real Neovim (0.7+) runs `keyplan lsp` on a fixture and
-- records what the user would see. KP_BIN, KP_FIXTURE and KP_RESULT come from the test.
local out = { steps = {} }
local function step(name, value) out.steps[#out.steps + 1] = name; out[name] = value end

local function run()
  vim.cmd('edit ' .. os.getenv('KP_FIXTURE'))
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = 'keyplan',
    cmd = { os.getenv('KP_BIN'), 'lsp' },
    root_dir = vim.fn.getcwd(),
  })
  vim.lsp.buf_attach_client(buf, id)
  local client = vim.lsp.get_client_by_id(id)
  local uri = vim.uri_from_bufnr(buf)

  -- The 0-based position of the first `needle` on a line containing `line_has`.
  local function pos(line_has, needle)
    for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
      if l:find(line_has, 1, true) then
        local col = l:find(needle, 1, true)
        return { line = i - 1, character = col - 1 }
      end
    end
    error('no line with ' .. line_has)
  end
  local function req(method, params)
    local r, err = client.request_sync(method, params, 5000, buf)
    if not r then error(method .. ': ' .. tostring(err)) end
    if r.err then error(method .. ': ' .. vim.inspect(r.err)) end
    return r.result
  end
  local function at(line_has, needle, offset)
    local p = pos(line_has, needle)
    p.character = p.character + (offset or 0)
    return { textDocument = { uri = uri }, position = p }
  end

  -- Diagnostics appear.
  vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
  step('diagnostics', vim.tbl_map(function(d)
    return { lnum = d.lnum, message = d.message, code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or d.code }
  end, vim.diagnostic.get(buf)))

  local hover = req('textDocument/hover', at('renewable', 'renewable', 2))
  step('hover', hover and hover.contents.value or vim.NIL)

  local items = req('textDocument/completion', at('policies = [', '[', 1))
  step('completion', vim.tbl_map(function(i) return i.label end, items or {}))

  local def = req('textDocument/definition', at('role     =', 'ml-pipeline-role', 3))
  step('definition', def and def.range.start or vim.NIL)

  -- Fix the typo: didChange, and the diagnostics clear.
  local fix = pos('my-polcy', 'my-polcy')
  vim.api.nvim_buf_set_text(buf, fix.line, fix.character, fix.line, fix.character + 8, { 'my-policy' })
  vim.wait(10000, function() return #vim.diagnostic.get(buf) == 0 end, 20)
  step('diagnostics_after_fix', #vim.diagnostic.get(buf))

  local edit = req('textDocument/rename', vim.tbl_extend('force', at('role ml-pipeline-role', 'ml-pipeline-role', 1), { newName = 'deployer' }))
  vim.lsp.util.apply_workspace_edit(edit, 'utf-16')
  step('after_rename', vim.api.nvim_buf_get_lines(buf, 0, -1, false))

  local edits = req('textDocument/formatting', { textDocument = { uri = uri }, options = { tabSize = 2, insertSpaces = true } })
  vim.lsp.util.apply_text_edits(edits or {}, buf, 'utf-16')
  step('after_format', vim.api.nvim_buf_get_lines(buf, 0, -1, false))
  local again = req('textDocument/formatting', { textDocument = { uri = uri }, options = { tabSize = 2, insertSpaces = true } })
  step('format_again_edits', #(again or {}))

  -- Diagnostics still clean after the edits (the server saw every change).
  vim.wait(300, function() return false end, 50)
  step('diagnostics_at_end', #vim.diagnostic.get(buf))

  -- Format on save through Neovim's own handler, which shows an error response to the
  -- user: with a syntax error in the buffer nothing is shown and nothing changes; once
  -- it is fixed, formatting applies again.
  local shown = {}
  local notify = vim.notify
  vim.notify = function(msg, level, opts)
    shown[#shown + 1] = msg
    return notify(msg, level, opts)
  end
  local answered = 0
  local handler = vim.lsp.handlers['textDocument/formatting']
  vim.lsp.handlers['textDocument/formatting'] = function(...)
    answered = answered + 1
    return handler(...)
  end
  local function format_on_save()
    local before = answered
    vim.lsp.buf.formatting({ tabSize = 2, insertSpaces = true })
    if not vim.wait(5000, function() return answered > before end, 20) then
      error('no formatting answer')
    end
  end
  local last = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, last, last, false, { 'policy broken {', '  path "x" { capabilities = = [read] }', '}' })
  local broken = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  format_on_save()
  step('broken_format_unchanged', vim.deep_equal(broken, vim.api.nvim_buf_get_lines(buf, 0, -1, false)))
  vim.api.nvim_buf_set_lines(buf, last + 1, last + 2, false, { '      path "x" { capabilities = [read] }' })
  format_on_save()
  step('fixed_format', vim.api.nvim_buf_get_lines(buf, last, -1, false))
  step('format_shown', shown)
end

local ok, err = pcall(run)
if not ok then out.error = tostring(err) end
vim.fn.writefile({ vim.fn.json_encode(out) }, os.getenv('KP_RESULT'))
vim.cmd('qa!')
